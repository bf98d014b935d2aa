// Pure helpers on a mode's declared options, shared by inputs, outputs and the CLI: reading
// `-oo`/`-io` items against the declared keys, the `-oo ?` listing, and checked choices.
import { badOption } from "./errors.js";
import type { ModeKey } from "./modes.js";

/** `-oo KEY[=VALUE]` items checked against a mode's declared keys. Pure. */
export function parseModeKeys(flag: "-oo" | "-io", owner: string, declared: readonly ModeKey[], items: readonly string[]): Map<string, string | boolean> {
  const out = new Map<string, string | boolean>();
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const spec = declared.find((k) => k.key === key);
    if (!spec) {
      throw badOption(declared.length === 0
        ? `${owner} takes no ${flag} options: remove ${flag} ${item}`
        : `${flag} ${key}: not an option of ${owner}; valid keys: ${declared.map((k) => k.key).join(", ")} (see ${flag} ?)`);
    }
    if (spec.kind === "bool") out.set(key, eq < 0 ? true : parseBool(`${flag} ${key}`, item.slice(eq + 1)));
    else if (eq < 0 || item.slice(eq + 1) === "") throw badOption(`${flag} ${key} needs a value: ${flag} ${key}=VALUE`);
    else out.set(key, item.slice(eq + 1));
  }
  return out;
}

/** The lines `-oo ?` or `-io ?` prints for one mode. */
export function listModeKeys(flag: "-oo" | "-io", owner: string, declared: readonly ModeKey[]): string[] {
  const kind = flag === "-oo" ? "Output" : "Input";
  if (declared.length === 0) return [`${owner} has no ${kind.toLowerCase()} options (${flag}).`];
  const shown = declared.map((k) => (k.kind === "string" ? `${k.key}=VALUE` : k.key));
  const width = Math.max(...shown.map((s) => s.length));
  return [`${kind} options (${flag}) for ${owner}:`, ...declared.map((k, i) => `  ${flag} ${shown[i]!.padEnd(width)}  ${k.help}`)];
}

function parseBool(what: string, value: string): boolean {
  if (["", "true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw badOption(`${what}=${value}: expected true or false`);
}

export function choice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw badOption(`${option} ${value}: expected ${choices.join(" or ")}`);
}
