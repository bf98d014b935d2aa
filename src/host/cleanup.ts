// Cleanup on the way out: every temporary thing registers a remover here, and the removers run
// when the run ends, fails, or is interrupted (the CLI calls runCleanups on SIGINT/SIGTERM).

type Cleanup = () => Promise<void> | void;

const pending = new Map<number, { what: string; fn: Cleanup }>();
let nextId = 1;
let shuttingDown = false;
/** Removers started through a handle's run() and not finished yet: runCleanups waits for them. */
const running = new Set<Promise<void>>();

/**
 * True once runCleanups() has started: the run is being torn down, so nothing new may be started
 * or created (exec.ts refuses to spawn; the output lock refuses new files). Without this, a stage
 * still awaiting something that does not depend on a child could go on and create a file after
 * the removers ran.
 */
export const isShuttingDown = (): boolean => shuttingDown;

export interface CleanupHandle {
  /** Run the remover now (once) and unregister it. */
  run(): Promise<void>;
  /** Unregister without running: the thing is to be kept (e.g. a finished target disk). */
  dismiss(): void;
}

/** Register a remover to run when the process ends early. */
export function onCleanup(what: string, fn: Cleanup): CleanupHandle {
  const id = nextId++;
  pending.set(id, { what, fn });
  return {
    run: async () => {
      if (!pending.delete(id)) return;
      const p = Promise.resolve().then(fn);
      running.add(p);
      try {
        await p;
      } finally {
        running.delete(p);
      }
    },
    dismiss: () => {
      pending.delete(id);
    },
  };
}

/**
 * Run every pending remover, newest first; failures are collected, never thrown. Removers
 * registered while this runs (a stage that was mid-way when the interrupt came) run too, and
 * removers already running through their handle are waited for.
 */
export async function runCleanups(): Promise<string[]> {
  shuttingDown = true;
  const failures: string[] = [];
  while (pending.size > 0 || running.size > 0) {
    // A remover the run started itself (its own catch) may be half done: let it finish.
    await Promise.allSettled([...running]);
    const entries = [...pending.entries()].reverse();
    pending.clear();
    for (const [, { what, fn }] of entries) {
      try {
        await fn();
      } catch (e) {
        failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return failures;
}
