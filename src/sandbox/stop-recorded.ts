/**
 * Stops a sandbox recorded in the state file: asks the `ops sandbox up` process to stop (it stops
 * moto and removes the state file), and if that process is gone or does not comply, stops moto
 * directly. Only pids whose command line still looks like ours are signalled (pids get reused).
 */
import { isAlive, signalGroup, signalProcess, waitForExit, type WaitOptions } from './process-control.ts';
import { processCommandLine, type SandboxState } from './state-file.ts';

export interface StopRecordedResult {
  opsWasRunning: boolean;
  motoWasRunning: boolean;
  /** Both processes are gone. */
  stopped: boolean;
  /** SIGKILL was needed. */
  forced: boolean;
}

export interface StopRecordedOptions extends Partial<WaitOptions> {
  /** How long `up` gets to shut down gracefully (default 20 s). */
  graceMs?: number;
}

/** The pid is alive and (where /proc can tell) runs what we expect. */
export function isOurProcess(pid: number, expected: RegExp): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = processCommandLine(pid);
  return cmdline === undefined || expected.test(cmdline);
}

export const OPS_PROCESS_PATTERN = /sandbox/;
export const MOTO_PROCESS_PATTERN = /moto\.server/;

export async function stopRecordedSandbox(state: SandboxState, options: StopRecordedOptions = {}): Promise<StopRecordedResult> {
  const ops = state.pids.ops;
  const moto = state.pids.moto;
  const opsWasRunning = isOurProcess(ops, OPS_PROCESS_PATTERN);
  const motoWasRunning = isOurProcess(moto, MOTO_PROCESS_PATTERN);
  const wait = (pids: number[], timeoutMs: number): Promise<boolean> =>
    waitForExit(pids, { timeoutMs, ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.now ? { now: options.now } : {}), pollMs: options.pollMs ?? 100 });
  const watched = [...(opsWasRunning ? [ops] : []), ...(motoWasRunning ? [moto] : [])];
  let forced = false;

  if (opsWasRunning) {
    signalProcess(ops, 'SIGTERM');
    if (await wait(watched, options.graceMs ?? 20_000)) return { opsWasRunning, motoWasRunning, stopped: true, forced };
  }
  if (motoWasRunning && isOurProcess(moto, MOTO_PROCESS_PATTERN)) {
    signalGroup(moto, 'SIGTERM');
    if (!(await wait([moto], 5_000))) {
      signalGroup(moto, 'SIGKILL');
      forced = true;
    }
  }
  if (opsWasRunning && isOurProcess(ops, OPS_PROCESS_PATTERN)) {
    signalProcess(ops, 'SIGKILL');
    forced = true;
  }
  const stopped = await wait(watched, 5_000);
  return { opsWasRunning, motoWasRunning, stopped, forced };
}
