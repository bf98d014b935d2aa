// virt-v2v's LUKS key options, parsed: `--key SELECTOR:key:PASSPHRASE`, `--key SELECTOR:file:FILE`
// (repeatable) and `--keys-from-stdin`. SELECTOR is the libguestfs device name of the encrypted
// volume ("/dev/sda2") or its LUKS UUID. Pure: reading a key file happens when the key is used.
import { badOption } from "../model/errors.js";
import type { LuksKey } from "../model/types.js";

/** Pure: one `--key` value. Throws BAD_OPTION naming the value's problem and the two forms. */
export function parseKeyOption(value: string): LuksKey {
  const forms = "use --key SELECTOR:key:PASSPHRASE or --key SELECTOR:file:FILE (SELECTOR: a device such as /dev/sda2, or the LUKS UUID)";
  const first = value.indexOf(":");
  const second = first < 0 ? -1 : value.indexOf(":", first + 1);
  const selector = first < 0 ? value : value.slice(0, first);
  const kind = first < 0 ? "" : value.slice(first + 1, second < 0 ? undefined : second);
  const rest = second < 0 ? undefined : value.slice(second + 1);
  if (selector === "") throw badOption(`--key: the selector before the first ":" is empty; ${forms}`);
  if (!isSelector(selector)) throw badOption(`--key ${selector}:...: "${selector}" is neither a /dev/ device name nor a UUID; ${forms}`);
  if (kind === "clevis") throw badOption(`--key ${selector}:clevis: network-bound (Clevis/Tang) unlocking is not supported by v2v; give the passphrase instead (${forms})`);
  if (kind !== "key" && kind !== "file") throw badOption(`--key ${selector}:${kind}: the method must be "key" or "file"; ${forms}`);
  if (rest === undefined || rest === "") throw badOption(`--key ${selector}:${kind}: the ${kind === "key" ? "passphrase" : "file name"} after "${kind}:" is empty; ${forms}`);
  return kind === "key" ? { selector, kind, passphrase: rest } : { selector, kind, file: rest };
}

/** Pure: a libguestfs device path (/dev/sda2, /dev/vg0/lv, /dev/md127) or a UUID (hex and dashes). */
export function isSelector(s: string): boolean {
  const device = /^\/dev\/[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/.test(s) && !s.split("/").some((part) => part === "." || part === "..");
  return device || /^[0-9A-Fa-f]{8}(-?[0-9A-Fa-f]{4}){3}-?[0-9A-Fa-f]{12}$/.test(s);
}

/** Pure: the first line of a key file's content, as virt-v2v takes it (the newline is not part of the key). */
export function keyFromFileContent(content: string): string {
  const nl = content.indexOf("\n");
  return nl < 0 ? content : content.slice(0, nl);
}
