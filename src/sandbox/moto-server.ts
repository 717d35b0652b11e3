/**
 * The moto server's lifecycle: start it on 127.0.0.1 as a child process, wait until it answers, set
 * the ECS task transition, reset it between tests, and stop it without leaving an orphan.
 *
 * Orphans are prevented in layers, because no single one covers every way a Node process ends:
 * 1. `stop()` on the normal path: SIGTERM to moto's process group, SIGKILL after a grace period.
 * 2. A `process.on('exit')` hook that SIGKILLs the group synchronously (a test runner that calls
 *    process.exit after a failure, an uncaught exception).
 * 3. Optional SIGINT/SIGTERM handlers (`killOnSignals`) for scripts that have no handler of their own.
 *    The CLI leaves this off: `ops sandbox up` handles Ctrl-C itself and stops moto gracefully.
 * 4. A parent-death watchdog inside the Python process: when the Node parent dies without running any
 *    hook (SIGKILL, an unhandled signal), moto notices its parent pid changed and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { FaultError, UserError } from '../errors.ts';
import { ECS_TASK_MODEL, motoAnswers, resetMoto, setMotoTransition } from './moto-api.ts';
import { MOTO_CLOCK_ENV } from './moto-clock.ts';
import { signalGroup } from './process-control.ts';

export const MOTO_HOST = '127.0.0.1';
export const MOTO_INSTALL_HINT = 'pip install "moto[server]"';
/** Tasks stay RUNNING this long (on moto's clock: virtual when a clock is bound) by default: longer than any e2e run or demo session. */
export const DEFAULT_TASK_RUNNING_SECONDS = 3_600;

/**
 * The Python side (watchdog, TCP_NODELAY, virtual clock): see moto-launcher.py. Passed as `-c <code>`
 * so the process is one interpreter whose pid is moto's, and so a wrapper can exec it unchanged.
 */
const LAUNCHER_FILE = fileURLToPath(new URL('./moto-launcher.py', import.meta.url));

export interface MotoSettings {
  /** Seconds each ECS task status lasts on moto's clock; tasks stay RUNNING this long after RunTask. */
  taskRunningSeconds?: number;
}

export interface StartMotoOptions extends MotoSettings {
  /** Fixed port; default: a free port chosen by the OS. */
  port?: number;
  /** Python interpreter (default `python3`). */
  python?: string;
  /** How long to wait for moto to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop (default 5 s). */
  stopGraceMs?: number;
  /** Install SIGINT/SIGTERM handlers that kill moto (for scripts without their own handlers). */
  killOnSignals?: boolean;
  /** Environment for the Python process (default: process.env). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /**
   * The file moto reads its clock from (moto-clock.ts): `motoFollowedClock(start, server.clockFile)`
   * is a VirtualClock that moto follows. Until something writes it, moto follows the wall clock.
   */
  readonly clockFile: string;
  /** True once the moto process has exited. */
  readonly exited: boolean;
  /** Drops all resources and re-applies the sandbox settings (task transition). */
  reset(): Promise<void>;
  /** Stops moto (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
  /** The last few KB moto wrote to stderr (its request log and tracebacks). */
  stderrTail(): string;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, MOTO_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new FaultError('NO_FREE_PORT', 'The OS gave no free port.'))));
    });
  });
}

/** Applies what the sandbox needs on a fresh (or just reset) moto. */
export async function configureMoto(endpoint: string, settings: MotoSettings = {}): Promise<void> {
  const seconds = settings.taskRunningSeconds ?? DEFAULT_TASK_RUNNING_SECONDS;
  await setMotoTransition(endpoint, ECS_TASK_MODEL, { progression: 'time', seconds });
}

/** Reset + configure: what every e2e test does before seeding. */
export async function resetSandbox(endpoint: string, settings: MotoSettings = {}): Promise<void> {
  await resetMoto(endpoint);
  await configureMoto(endpoint, settings);
}

export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)) {
    throw new UserError('BAD_PORT', `--port must be an integer between 1 and 65535, got ${options.port}.`, 'Omit --port to pick a free one.');
  }
  // A free port can be taken between our probe and moto's bind; try a few when we chose it.
  const tries = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch(port, options);
    } catch (error) {
      const portTaken = error instanceof FaultError && error.code === 'MOTO_PORT_IN_USE';
      if (!portTaken || attempt >= tries) {
        if (portTaken && options.port !== undefined) {
          throw new UserError('PORT_IN_USE', `Port ${port} on ${MOTO_HOST} is already in use.`, 'Pick another --port, or omit it to use a free one.', {
            cause: error,
          });
        }
        throw error;
      }
    }
  }
}

/** True when nothing listens on 127.0.0.1:port (we could bind it a moment ago). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, MOTO_HOST, () => server.close(() => resolve(true)));
  });
}

async function launch(port: number, options: StartMotoOptions): Promise<MotoServer> {
  // Something else on the port (another moto, say) would answer our readiness probe before our moto
  // fails to bind, and we would seed someone else's server: refuse up front.
  if (!(await portIsFree(port))) throw new FaultError('MOTO_PORT_IN_USE', `Port ${port} is already in use.`);
  const python = options.python ?? 'python3';
  const endpoint = `http://${MOTO_HOST}:${port}`;
  const log = options.log ?? (() => undefined);
  let stderr = '';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: NodeJS.ErrnoException | undefined;

  // detached: moto leads its own process group, so one signal reaches it and anything it forks, and a
  // terminal Ctrl-C meant for `ops` does not kill it before we have recorded and cleaned up.
  const clockDir = mkdtempSync(join(tmpdir(), 'ops-moto-clock-'));
  const clockFile = join(clockDir, 'clock.json');
  const removeClockDir = (): void => rmSync(clockDir, { recursive: true, force: true });
  // Read at launch, not at import: every `ops` command loads this module, few start moto.
  const launcher = readFileSync(LAUNCHER_FILE, 'utf8');
  const child: ChildProcess = spawn(python, ['-c', launcher, '-H', MOTO_HOST, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...(options.env ?? process.env), [MOTO_CLOCK_ENV]: clockFile },
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      exitInfo ??= { code: null, signal: null };
      resolve();
    });
  });
  const keep = (chunk: Buffer): void => {
    // Keep a tail only: moto logs every request, and a long replay writes megabytes.
    stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);

  const pid = child.pid ?? -1;
  const killNow = (): void => {
    if (exitInfo === undefined && pid > 0) signalGroup(pid, 'SIGKILL');
    removeClockDir();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killNow();
    removeHooks();
    // Only re-raise when nobody else handles the signal, so the default (terminate) still happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const removeHooks = (): void => {
    process.removeListener('exit', killNow);
    if (options.killOnSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  };
  process.on('exit', killNow);
  if (options.killOnSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined && pid > 0) {
        signalGroup(pid, 'SIGTERM');
        const graceful = await Promise.race([exited.then(() => true), delay(options.stopGraceMs ?? 5_000).then(() => false)]);
        if (!graceful) {
          log(`moto (pid ${pid}) ignored SIGTERM; sending SIGKILL`);
          signalGroup(pid, 'SIGKILL');
          await Promise.race([exited, delay(5_000)]);
        }
      }
      removeHooks();
      removeClockDir();
    })();
    return stopping;
  };

  const server: MotoServer = {
    endpoint,
    port,
    pid,
    clockFile,
    get exited() {
      return exitInfo !== undefined;
    },
    reset: () => resetSandbox(endpoint, options),
    stop,
    stderrTail: () => stderr,
  };

  try {
    await waitUntilReady(endpoint, options.readyTimeoutMs ?? 30_000, () => exitInfo !== undefined);
  } catch (error) {
    await stop();
    throw explainStartFailure(python, port, stderr, spawnError, error);
  }
  if (exitInfo !== undefined) {
    await stop();
    throw explainStartFailure(python, port, stderr, spawnError, undefined);
  }
  try {
    await configureMoto(endpoint, options);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`moto ${endpoint} ready (pid ${pid})`);
  return server;
}

async function waitUntilReady(endpoint: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!hasExited()) {
    if (await motoAnswers(endpoint, { timeoutMs: 1_000 })) return;
    if (Date.now() >= deadline) {
      throw new FaultError('MOTO_NOT_READY', `moto did not answer on ${endpoint} within ${Math.round(timeoutMs / 1000)} s.`);
    }
    await delay(100);
  }
}

function explainStartFailure(python: string, port: number, stderr: string, spawnError: NodeJS.ErrnoException | undefined, cause: unknown): Error {
  if (spawnError?.code === 'ENOENT') {
    return new UserError('PYTHON_MISSING', `"${python}" was not found, so the moto sandbox cannot start.`, `Install Python 3, then ${MOTO_INSTALL_HINT}`, {
      cause: spawnError,
    });
  }
  const missing = /No module named '?([\w.]+)'?/.exec(stderr);
  if (missing) {
    return new UserError('MOTO_MISSING', `moto's server cannot start: Python has no module "${missing[1]}".`, MOTO_INSTALL_HINT, {
      cause: new Error(stderr.slice(-2_000)),
    });
  }
  if (/Address already in use|address in use/i.test(stderr)) {
    return new FaultError('MOTO_PORT_IN_USE', `Port ${port} is already in use.`, { cause: new Error(stderr.slice(-2_000)) });
  }
  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  return new FaultError('MOTO_START_FAILED', `moto exited or did not become ready on port ${port}.${tail ? `\nmoto stderr:\n${tail}` : ''}`, {
    cause: cause ?? spawnError,
  });
}

/** A timer that does not keep the process alive: losing a race against it must not delay exit. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
