// What the fuzz suites share: how many runs (V2V_FUZZ_RUNS, default 200; nightly 5000), an optional
// seed to replay a failure (V2V_FUZZ_SEED, with V2V_FUZZ_PATH), and the one property every parser
// of untrusted input must keep: a result or a V2vError, in bounded time and bounded memory.
import type { Parameters } from "fast-check";
import { V2vError } from "../../../src/model/errors.js";

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : Number.parseInt(v, 10);
};

/** fast-check parameters from the environment. fast-check prints the seed and path on failure. */
export function fuzzParameters<T>(): Parameters<T> {
  const seed = envInt("V2V_FUZZ_SEED");
  const path = process.env["V2V_FUZZ_PATH"];
  return {
    numRuns: envInt("V2V_FUZZ_RUNS") ?? 200,
    ...(process.env["V2V_FUZZ_END_ON_FAILURE"] === "1" ? { endOnFailure: true } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
  };
}

/** Bounds one call must stay within, whatever its input. */
export const CALL_LIMITS = {
  /** Wall-clock time of one call (the suite shares the machine with other work: generous, not tight). */
  ms: 2000,
  /** Heap growth during one call: far above what a bounded parser allocates for these inputs. */
  heapBytes: 256 * 1024 * 1024,
} as const;

export interface CallOutcome<T> {
  readonly result?: T;
  readonly error?: V2vError;
}

/**
 * Run `call` and check the property: it returns, or throws a V2vError (anything else is a crash and
 * fails), within CALL_LIMITS. Throws a plain Error describing the breach, which fast-check reports
 * with the input, the seed and the path.
 */
export async function expectBounded<T>(call: () => T | Promise<T>, hangMs = 10_000): Promise<CallOutcome<T>> {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the call did not settle within ${hangMs} ms (a hang)`)), hangMs);
  });
  let outcome: CallOutcome<T>;
  try {
    outcome = { result: await Promise.race([Promise.resolve().then(call), hang]) };
  } catch (e) {
    if (!(e instanceof V2vError)) {
      throw new Error(`expected a result or a V2vError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    }
    outcome = { error: e };
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  if (ms > CALL_LIMITS.ms) throw new Error(`the call took ${Math.round(ms)} ms, more than ${CALL_LIMITS.ms} ms`);
  const grown = process.memoryUsage().heapUsed - heapBefore;
  if (grown > CALL_LIMITS.heapBytes) throw new Error(`the heap grew by ${grown} bytes during one call, more than ${CALL_LIMITS.heapBytes}`);
  return outcome;
}

/** A refusal is one line, starts with what it names, and carries no character a terminal acts on. */
export function checkRefusal(e: V2vError, code = "BAD_INPUT"): void {
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(e.message)) {
    throw new Error(`the refusal has a raw control character or is not one line: ${JSON.stringify(e.message)}`);
  }
}

/** Counts accepted inputs and refusals by kind, so a run shows its generators reach past the first check. */
export class Tally {
  private accepted = 0;
  private readonly refusals = new Map<string, number>();

  add(outcome: CallOutcome<unknown>): void {
    if (!outcome.error) {
      this.accepted++;
      return;
    }
    // The kind of refusal: the message without the file name and quoted values.
    const kind = outcome.error.message.replace(/^[^:]*: /, "").replace(/"(?:[^"\\]|\\.)*"|\d+/g, "_").slice(0, 60);
    this.refusals.set(kind, (this.refusals.get(kind) ?? 0) + 1);
  }

  /** One line: totals, then the most frequent refusals. */
  summary(label: string): string {
    const refused = [...this.refusals.values()].reduce((a, b) => a + b, 0);
    const top = [...this.refusals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${n}x ${k}`);
    return `${label}: ${this.accepted} accepted, ${refused} refused in ${this.refusals.size} ways (${top.join("; ")})`;
  }
}
