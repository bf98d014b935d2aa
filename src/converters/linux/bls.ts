// Pure: Boot Loader Specification entries (/boot/loader/entries/<id>.conf), as RHEL 8+ and
// Fedora write them and GRUB's "blscfg" command reads them, and GRUB's environment block
// (grubenv), where RHEL 8 keeps the kernel arguments that entries name as "$kernelopts".
import { rewriteKernelArgs, type DeviceRenamer, type RewriteResult } from "./device-names.js";
import type { GrubEntry } from "./grub-cfg.js";
import { compareRpmVersions } from "./rpm-version.js";

export interface BlsEntry {
  /** The file name without ".conf": GRUB's id for the entry, and what saved_entry names. */
  readonly id: string;
  /** key -> value (the first occurrence; "initrd" may repeat but is not needed here). */
  readonly keys: ReadonlyMap<string, string>;
}

export function parseBlsEntry(id: string, text: string): BlsEntry {
  const keys = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][\w-]*)\s+(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith("#") && !keys.has(m[1]!)) keys.set(m[1]!, m[2]!);
  }
  return { id, keys };
}

/** True when a grub.cfg reads BLS entries (a "blscfg" command line). */
export const usesBlscfg = (grubCfg: string): boolean => /^\s*blscfg\b/m.test(grubCfg);

/** grubenv's variables (name=value lines; "#" padding and comments ignored). */
export function parseGrubenv(text: string): ReadonlyMap<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!);
  }
  return vars;
}

/** $name and ${name} replaced by grubenv's value (unset: empty), as GRUB does on an options line. */
export function expandGrubVars(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_m, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? "");
}

/**
 * The entries as GRUB's menu shows them: newest version first (blscfg sorts them so, and with
 * "set default=0" the first one boots), each as a GrubEntry for the common default/root= checks.
 */
export function blsMenuEntries(entries: readonly BlsEntry[], env: ReadonlyMap<string, string>): readonly GrubEntry[] {
  const sortKey = (e: BlsEntry): string => e.keys.get("version") ?? e.id;
  return [...entries]
    .sort((a, b) => compareRpmVersions(sortKey(b), sortKey(a)) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((e) => {
      const kernel = e.keys.get("linux");
      const args = expandGrubVars(e.keys.get("options") ?? "", env).split(/\s+/).filter((w) => w !== "");
      return { kind: "entry" as const, title: e.keys.get("title") ?? e.id, id: e.id, ...(kernel ? { kernel } : {}), args };
    });
}

/** Rename root=/resume= devices on the `options` lines of a BLS entry. */
export function rewriteBlsOptions(text: string, rename: DeviceRenamer): RewriteResult {
  const renamed: { from: string; to: string }[] = [];
  const unknown: string[] = [];
  const out = text.split("\n").map((line) => {
    if (!/^\s*options\s/.test(line)) return line;
    const r = rewriteKernelArgs(line, rename);
    renamed.push(...r.renamed);
    unknown.push(...r.unknown.filter((u) => !unknown.includes(u)));
    return r.text;
  });
  return { text: out.join("\n"), renamed, unknown };
}

/** GRUB reads exactly this many bytes of grubenv; the unused tail is "#" padding. */
export const GRUBENV_SIZE = 1024;

/**
 * Edit grubenv's variable lines and keep the block's size: the "#" padding absorbs the difference.
 * A block that is not padded (not written by grub-editenv) is edited as plain text. Throws when
 * the variables would no longer fit, which would need ~900 more bytes of kernel arguments.
 */
export function editGrubenv(text: string, editLine: (line: string) => string): string {
  const padded = /#+$/.exec(text);
  const body = padded ? text.slice(0, padded.index) : text;
  const edited = body.split("\n").map((l) => (/^[A-Za-z_]\w*=/.test(l) ? editLine(l) : l)).join("\n");
  if (!padded || edited === body) return padded ? edited + padded[0] : edited;
  const pad = text.length - edited.length;
  if (pad < 0) throw new Error(`grubenv: the edited variables need ${edited.length} bytes, more than its ${text.length}`);
  return edited + "#".repeat(pad);
}

const KERNELOPTS = "kernelopts=";

/** Rename root=/resume= in grubenv's kernelopts (RHEL 8's kernel arguments for every entry). */
export function rewriteGrubenvKernelopts(text: string, rename: DeviceRenamer): RewriteResult {
  const renamed: { from: string; to: string }[] = [];
  const unknown: string[] = [];
  const out = editGrubenv(text, (line) => {
    if (!line.startsWith(KERNELOPTS)) return line;
    // The value alone: "kernelopts=root=..." has no blank before root=, which rewriteKernelArgs needs.
    const r = rewriteKernelArgs(line.slice(KERNELOPTS.length), rename);
    renamed.push(...r.renamed);
    unknown.push(...r.unknown.filter((u) => !unknown.includes(u)));
    return KERNELOPTS + r.text;
  });
  return { text: out, renamed, unknown };
}

/** /etc/kernel/cmdline: the whole file is kernel arguments. */
export const rewriteKernelCmdline = (text: string, rename: DeviceRenamer): RewriteResult => rewriteKernelArgs(text, rename);
