// Thin effectful helpers shared by the Linux steps: edit a guest file with a pure function, and
// run a guest command whose failure stops the conversion with a sentence that says what to do.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";

/** Apply a pure edit to a guest file if it exists; writes only when the text changes. Returns true when written. */
export async function editGuestFile(g: GuestHandle, path: string, edit: (text: string) => string): Promise<boolean> {
  if (!(await g.isFile(path))) return false;
  const before = await g.readFile(path);
  const after = edit(before);
  if (after === before) return false;
  await g.writeFile(path, after);
  return true;
}

/** The files of a directory (absolute paths) whose names match, sorted; [] when it does not exist. */
export async function listGuestFiles(g: GuestHandle, dir: string, name: RegExp): Promise<readonly string[]> {
  const names = [...(await g.ls(dir))].filter((n) => name.test(n)).sort();
  const out: string[] = [];
  for (const n of names) if (await g.isFile(`${dir}/${n}`)) out.push(`${dir}/${n}`);
  return out;
}

/** The directories where the steps look for a guest's programs (the appliance's PATH may differ). */
export const PROGRAM_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] as const;

/** True when the guest has program `name` in one of PROGRAM_DIRS. */
export async function hasGuestProgram(g: GuestHandle, name: string): Promise<boolean> {
  for (const dir of PROGRAM_DIRS) if (await g.isFile(`${dir}/${name}`)) return true;
  return false;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim();

/**
 * Run a program in the guest; a failure becomes V2vError("CONVERSION") naming the command, what it
 * was for (`purpose`, a noun phrase) and the advice.
 */
export async function runGuestCommand(
  g: GuestHandle, argv: readonly string[], purpose: string, advice: string, timeoutMs: number,
): Promise<string> {
  try {
    return await g.command(argv, { timeoutMs });
  } catch (e) {
    throw new V2vError("CONVERSION",
      `"${argv.join(" ")}" failed in the guest while ${purpose}: ${messageOf(e)}. ${advice}`, { cause: e });
  }
}

/** Like runGuestCommand, for a /bin/sh script; `display` is what the message calls it. */
export async function runGuestScript(
  g: GuestHandle, script: string, display: string, purpose: string, advice: string, timeoutMs: number,
): Promise<string> {
  try {
    return await g.sh(script, { timeoutMs });
  } catch (e) {
    throw new V2vError("CONVERSION",
      `"${display}" failed in the guest while ${purpose}: ${messageOf(e)}. ${advice}`, { cause: e });
  }
}

/** Single-quote a word for /bin/sh. */
export const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** Environment prefix for guest scripts: a sane PATH (the appliance's may differ) and C messages. */
export const GUEST_SCRIPT_ENV = "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C LANG=C";
