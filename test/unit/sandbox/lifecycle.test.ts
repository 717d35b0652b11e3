import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZip } from '../../../src/sandbox/lambda-zip.ts';
import { assertLoopbackEndpoint, sentSnsNotifications } from '../../../src/sandbox/moto-api.ts';
import { startMotoServer } from '../../../src/sandbox/moto-server.ts';
import { isAlive } from '../../../src/sandbox/process-control.ts';

describe('startMotoServer without a working moto', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-fake-python-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in for python3 that writes `stderr` and exits 1, as Python does on an import error. */
  async function fakePython(name: string, stderr: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\necho "${stderr}" >&2\nexit 1\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('says how to install python and moto when python3 is missing', async () => {
    await expect(startMotoServer({ python: join(dir, 'no-such-python'), readyTimeoutMs: 5_000 })).rejects.toMatchObject({
      kind: 'user',
      code: 'PYTHON_MISSING',
      hint: expect.stringContaining('pip install "moto[server]"') as unknown,
    });
  });

  it('says pip install "moto[server]" when the moto module is missing', async () => {
    const python = await fakePython('python-no-moto', "ModuleNotFoundError: No module named 'moto'");
    await expect(startMotoServer({ python, readyTimeoutMs: 5_000 })).rejects.toMatchObject({ kind: 'user', code: 'MOTO_MISSING', hint: 'pip install "moto[server]"' });
  });

  it('reports moto\'s stderr when it dies on start', async () => {
    const python = await fakePython('python-crash', 'Traceback: something exploded');
    const error = await startMotoServer({ python, readyTimeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'fault', code: 'MOTO_START_FAILED' });
    expect((error as Error).message).toContain('Traceback: something exploded');
  });

  it('rejects a port outside 1-65535', async () => {
    await expect(startMotoServer({ port: 70_000 })).rejects.toMatchObject({ code: 'BAD_PORT' });
  });
});

describe('moto API guard and helpers', () => {
  it('talks only to loopback http endpoints', () => {
    expect(assertLoopbackEndpoint('http://127.0.0.1:5000').port).toBe('5000');
    expect(assertLoopbackEndpoint('http://localhost:5000').hostname).toBe('localhost');
    expect(() => assertLoopbackEndpoint('http://10.0.0.5:5000')).toThrow(/not a loopback/);
    expect(() => assertLoopbackEndpoint('https://scheduler.us-west-2.amazonaws.com')).toThrow(/not a loopback/);
    expect(() => assertLoopbackEndpoint('nope')).toThrow(/not a URL/);
  });

  it('reads sent SNS messages out of moto\'s model data', () => {
    const data = {
      sns: {
        Topic: [
          { arn: 'arn:aws:sns:us-west-2:123456789012:alerts', sent_notifications: [['id-1', 'hello', 'subject', {}, null], 'junk'] },
          { arn: 'arn:aws:sns:us-west-2:123456789012:quiet', sent_notifications: [] },
        ],
      },
    };
    expect(sentSnsNotifications(data)).toEqual([{ topicArn: 'arn:aws:sns:us-west-2:123456789012:alerts', messageId: 'id-1', message: 'hello', subject: 'subject', attributes: {} }]);
    expect(sentSnsNotifications({})).toEqual([]);
  });

  it('counts a pid that does not exist as gone', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(0)).toBe(false);
    expect(isAlive(2 ** 22 + 12_345)).toBe(false);
  });
});

describe('createZip', () => {
  it('writes a valid stored zip: local header, data, central directory, end record', () => {
    const content = 'export const handler = async () => ({ ok: true });\n';
    const zip = Buffer.from(createZip([{ name: 'index.mjs', content }]));
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(8)).toBe(0); // stored
    expect(zip.readUInt32LE(14)).toBe(crc32(content) >>> 0);
    expect(zip.readUInt32LE(18)).toBe(Buffer.byteLength(content));
    const nameLength = zip.readUInt16LE(26);
    expect(zip.subarray(30, 30 + nameLength).toString()).toBe('index.mjs');
    expect(zip.subarray(30 + nameLength, 30 + nameLength + Buffer.byteLength(content)).toString()).toBe(content);
    const end = zip.length - 22;
    expect(zip.readUInt32LE(end)).toBe(0x06054b50);
    expect(zip.readUInt16LE(end + 10)).toBe(1);
    const centralOffset = zip.readUInt32LE(end + 16);
    expect(zip.readUInt32LE(centralOffset)).toBe(0x02014b50);
    expect(zip.readUInt32LE(end + 12)).toBe(end - centralOffset);
  });

  it('is byte-for-byte reproducible', () => {
    expect(createZip([{ name: 'a.txt', content: 'x' }])).toEqual(createZip([{ name: 'a.txt', content: 'x' }]));
  });
});
