// Cleanup on the way out: every temporary thing registers a remover here, and the removers run
// when the run ends, fails, or is interrupted (the CLI calls runCleanups on SIGINT/SIGTERM).

type Cleanup = () => Promise<void> | void;

const pending = new Map<number, { what: string; fn: Cleanup }>();
let nextId = 1;

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
      if (pending.delete(id)) await fn();
    },
    dismiss: () => {
      pending.delete(id);
    },
  };
}

/** Run every pending remover, newest first; failures are collected, never thrown. */
export async function runCleanups(): Promise<string[]> {
  const failures: string[] = [];
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, { what, fn }] of entries) {
    try {
      await fn();
    } catch (e) {
      failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return failures;
}
