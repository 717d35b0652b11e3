/**
 * The moto lifecycle itself: a taken port, a clean stop, and a reset that drops resources but keeps
 * the sandbox's ECS task transition. Starts its own short-lived moto servers besides the shared one.
 */
import { createServer, type Server } from 'node:net';
import { CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ECS_TASK_MODEL, getMotoTransition, motoAnswers } from '../../src/sandbox/moto-api.ts';
import { findFreePort, resetSandbox, startMotoServer } from '../../src/sandbox/moto-server.ts';
import { isAlive } from '../../src/sandbox/process-control.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { motoEndpoint } from './sandbox-harness.ts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Hang up on every connection: readiness probes that reach this port get an answer, and close() can finish.
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('moto lifecycle', () => {
  it('says the port is taken when --port is in use', async () => {
    const port = await findFreePort();
    const blocker = await listen(port);
    try {
      await expect(startMotoServer({ port, readyTimeoutMs: 20_000 })).rejects.toMatchObject({ kind: 'user', code: 'PORT_IN_USE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops moto completely: the process is gone and the port answers no more', async () => {
    const server = await startMotoServer();
    expect(await motoAnswers(server.endpoint)).toBe(true);
    expect(isAlive(server.pid)).toBe(true);
    await server.stop();
    expect(server.exited).toBe(true);
    expect(isAlive(server.pid)).toBe(false);
    expect(await motoAnswers(server.endpoint, { timeoutMs: 500 })).toBe(false);
    await server.stop(); // idempotent
  });

  it('reset drops every resource and keeps ECS tasks RUNNING for an hour', async () => {
    const endpoint = motoEndpoint();
    const ecs = createSandboxClients(endpoint).ecs;
    await ecs.send(new CreateClusterCommand({ clusterName: 'to-be-reset' }));
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toContain('arn:aws:ecs:us-west-2:123456789012:cluster/to-be-reset');
    await resetSandbox(endpoint);
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    expect(await getMotoTransition(endpoint, ECS_TASK_MODEL)).toEqual({ progression: 'time', seconds: 3_600 });
  });
});
