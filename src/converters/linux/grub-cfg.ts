// Pure reading of a generated GRUB 2 grub.cfg: the menu tree, the default entry, its kernel and
// root=, and the rewriting of device arguments on "linux" lines.
import { rewriteKernelArgs, type DeviceRenamer, type RewriteResult } from "./device-names.js";

export interface GrubEntry {
  readonly kind: "entry";
  readonly title: string;
  /** The $menuentry_id_option id ("gnulinux-6.1.0-13-amd64-advanced-<uuid>"), when given. */
  readonly id?: string;
  /** Kernel path as written on the linux line ("/boot/vmlinuz-6.1.0-13-amd64"). */
  readonly kernel?: string;
  /** The linux line's arguments after the kernel path. */
  readonly args: readonly string[];
}

export interface GrubSubmenu {
  readonly kind: "submenu";
  readonly title: string;
  readonly id?: string;
  readonly items: readonly GrubItem[];
}

export type GrubItem = GrubEntry | GrubSubmenu;

export interface GrubMenu {
  readonly items: readonly GrubItem[];
  /** The value of the last `set default=` that is not the one-shot "${next_entry}"; "0" when none. */
  readonly defaultSpec: string;
}

/** Split a grub.cfg line into words the way GRUB's shell-like lexer does (quotes, backslashes). */
export function splitGrubWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) i++;
        cur += line[i];
        i++;
      }
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

interface OpenBlock { kind: "entry" | "submenu" | "other"; title: string; id?: string; kernel?: string; args: string[]; items: GrubItem[] }

/** Title and id of a "menuentry 'T' --class x $menuentry_id_option 'ID' {" line. */
function parseHeader(words: readonly string[]): { title: string; id?: string } {
  const title = words[1] ?? "";
  const idAt = words.findIndex((w) => w === "$menuentry_id_option" || w === "--id");
  const id = idAt > 0 ? words[idAt + 1] : undefined;
  return id === undefined ? { title } : { title, id };
}

export function parseGrubCfg(text: string): GrubMenu {
  const root: OpenBlock = { kind: "other", title: "", args: [], items: [] };
  const stack: OpenBlock[] = [root];
  let defaultSpec = "0";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const top = stack[stack.length - 1]!;
    if (line === "}") {
      if (stack.length === 1) continue;
      stack.pop();
      const target = stack.findLast((b) => b.kind !== "other") ?? root;
      if (top.kind === "entry") {
        target.items.push({ kind: "entry", title: top.title, ...(top.id ? { id: top.id } : {}), ...(top.kernel ? { kernel: top.kernel } : {}), args: top.args });
      } else if (top.kind === "submenu") {
        target.items.push({ kind: "submenu", title: top.title, ...(top.id ? { id: top.id } : {}), items: top.items });
      }
      continue;
    }
    const words = splitGrubWords(line);
    if (line.endsWith("{")) {
      const kind = words[0] === "menuentry" ? "entry" : words[0] === "submenu" ? "submenu" : "other";
      stack.push({ kind, ...(kind === "other" ? { title: "" } : parseHeader(words)), args: [], items: [] });
      continue;
    }
    if (top.kind === "entry" && /^linux(16|efi)?$/.test(words[0] ?? "")) {
      top.kernel = words[1];
      top.args = words.slice(2);
    } else if (words[0] === "set" && words[1]?.startsWith("default=")) {
      const value = words[1].slice("default=".length);
      if (value !== "${next_entry}") defaultSpec = value === "" ? "0" : value;
    }
  }
  return { items: root.items, defaultSpec };
}

/**
 * The entry GRUB boots by default. `savedEntry` is grubenv's saved_entry, used when the default is
 * "${saved_entry}". A spec is "N", an id, a title, or such parts joined by ">" through submenus.
 */
export function findDefaultEntry(menu: GrubMenu, savedEntry?: string): GrubEntry | undefined {
  let spec = menu.defaultSpec;
  if (spec === "${saved_entry}") spec = savedEntry && savedEntry !== "" ? savedEntry : "0";
  let items = menu.items;
  const parts = spec.split(">");
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const item = /^\d+$/.test(part) ? items[Number(part)] : items.find((i) => i.id === part || i.title === part);
    if (!item) return undefined;
    if (item.kind === "entry") return p === parts.length - 1 ? item : undefined;
    items = item.items;
    if (p === parts.length - 1) return items.find((i): i is GrubEntry => i.kind === "entry");
  }
  return undefined;
}

/** Kernel release of an entry ("/boot/vmlinuz-6.1.0-13-amd64" -> "6.1.0-13-amd64"). */
export function entryKernelVersion(e: GrubEntry): string | undefined {
  const m = /(?:^|\/)vmlinuz-([^/]+?)(\.efi\.signed)?$/.exec(e.kernel ?? "");
  return m?.[1];
}

/** The value of root= on an entry's linux line. */
export const entryRootArg = (e: GrubEntry): string | undefined =>
  e.args.find((a) => a.startsWith("root="))?.slice("root=".length);

/** A recovery entry boots single-user; never pick one as the default. */
const isRecovery = (e: GrubEntry): boolean => /recovery mode/i.test(e.title) || e.args.includes("single");

/**
 * The GRUB_DEFAULT value that selects the normal (non-recovery) entry of a kernel version:
 * "submenu-id>entry-id" (or titles / indexes when ids are missing). Undefined when no entry boots it.
 */
export function defaultSpecForKernel(menu: GrubMenu, version: string): string | undefined {
  const name = (item: GrubItem, index: number): string => item.id ?? String(index);
  const search = (items: readonly GrubItem[], prefix: string): string | undefined => {
    for (const [i, item] of items.entries()) {
      if (item.kind === "entry" && !isRecovery(item) && entryKernelVersion(item) === version) return prefix + name(item, i);
      if (item.kind === "submenu") {
        const found = search(item.items, `${prefix}${name(item, i)}>`);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(menu.items, "");
}

/** Rename devices in root=/resume= of every linux line of grub.cfg (the rest of the file is kept byte for byte). */
export function rewriteGrubCfgDevices(text: string, rename: DeviceRenamer): RewriteResult {
  const renamed: { from: string; to: string }[] = [];
  const unknown: string[] = [];
  const out = text.split("\n").map((line) => {
    if (!/^\s*linux(16|efi)?\s/.test(line)) return line;
    const r = rewriteKernelArgs(line, rename);
    renamed.push(...r.renamed);
    unknown.push(...r.unknown.filter((u) => !unknown.includes(u)));
    return r.text;
  });
  return { text: out.join("\n"), renamed, unknown };
}

/** Set GRUB_DEFAULT in /etc/default/grub (replacing the active line, or appending one). */
export function setGrubDefault(text: string, value: string): string {
  const line = `GRUB_DEFAULT="${value.replace(/(["\\$`])/g, "\\$1")}"`;
  const re = /^(\s*(export\s+)?)GRUB_DEFAULT=.*$/m;
  if (re.test(text)) return text.replace(re, (_m, pre: string) => pre + line);
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}${line}\n`;
}

/** grubenv's saved_entry, if set. */
export function parseSavedEntry(grubenv: string): string | undefined {
  const m = /^saved_entry=(.*)$/m.exec(grubenv);
  return m?.[1]?.trim() || undefined;
}
