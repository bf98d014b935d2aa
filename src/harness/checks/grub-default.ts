// Pure: find the entry grub boots by default in a grub.cfg, and its kernel and root=. Written apart
// from the converter's own grub parser on purpose: an oracle that shares the code under test
// would share its bugs.

export interface GrubMenuEntry {
  readonly title: string;
  /** The $menuentry_id_option id, when the entry has one. */
  readonly id?: string;
  /** Titles of the enclosing submenus, outermost first. */
  readonly submenus: readonly string[];
  /** The words of the entry's `linux` line after the command: image path, then arguments. */
  readonly linux?: readonly string[];
}

interface Item {
  readonly kind: "entry" | "submenu";
  readonly title: string;
  readonly id?: string;
  readonly items: Item[];
  linux?: string[];
}

/** Split a grub (or sh) script line into words: single and double quotes, backslash escapes, # comments. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else if (c === "#" && !inWord) {
      break;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function parseItems(text: string): Item[] {
  const top: Item[] = [];
  const stack: Item[] = [];
  for (const raw of text.split("\n")) {
    const words = splitWords(raw.trim());
    const cmd = words[0];
    if (!cmd) continue;
    if ((cmd === "menuentry" || cmd === "submenu") && words[words.length - 1] === "{") {
      const idAt = words.indexOf("$menuentry_id_option");
      const id = idAt > 0 ? words[idAt + 1] : undefined;
      const item: Item = { kind: cmd === "menuentry" ? "entry" : "submenu", title: words[1] ?? "", ...(id ? { id } : {}), items: [] };
      (stack.length > 0 ? stack[stack.length - 1]!.items : top).push(item);
      stack.push(item);
    } else if (cmd === "}" && stack.length > 0) {
      stack.pop();
    } else if ((cmd === "linux" || cmd === "linuxefi") && stack.length > 0) {
      stack[stack.length - 1]!.linux = words.slice(1);
    }
  }
  return top;
}

/** The value `set default=...` gives at the top level (the last one wins), or "0". */
export function defaultSetting(text: string): string {
  let value = "0";
  for (const raw of text.split("\n")) {
    const words = splitWords(raw.trim());
    if (words[0] === "set" && words[1]?.startsWith("default=")) value = words[1].slice("default=".length);
  }
  return value;
}

/** saved_entry from a grubenv file, or undefined. */
export function savedEntry(grubenv: string): string | undefined {
  const m = /^saved_entry=(.*)$/m.exec(grubenv);
  return m?.[1] || undefined;
}

function pick(items: readonly Item[], key: string): Item | undefined {
  if (/^\d+$/.test(key)) return items[Number(key)];
  return items.find((i) => i.id === key || i.title === key);
}

/**
 * The entry a default setting designates: "N", an id or title, or a ">"-separated path through
 * submenus. `${saved_entry}` is resolved from `grubenv` (grub then falls back to entry 0).
 */
export function findDefaultEntry(grubCfg: string, grubenv = ""): GrubMenuEntry | undefined {
  let setting = defaultSetting(grubCfg);
  if (/^\$\{?saved_entry\}?$/.test(setting)) setting = savedEntry(grubenv) ?? "0";
  const items = parseItems(grubCfg);
  let level: readonly Item[] = items;
  const submenus: string[] = [];
  const keys = setting.split(">");
  for (const [n, key] of keys.entries()) {
    const item = pick(level, key);
    if (!item) return undefined;
    if (n === keys.length - 1) {
      if (item.kind !== "entry") return undefined;
      return { title: item.title, ...(item.id ? { id: item.id } : {}), submenus, ...(item.linux ? { linux: item.linux } : {}) };
    }
    submenus.push(item.title);
    level = item.items;
  }
  return undefined;
}

/** "6.1.0-13-amd64" from the linux line's image "/boot/vmlinuz-6.1.0-13-amd64" (or "/vmlinuz-..." on a separate /boot). */
export function kernelVersionOf(e: GrubMenuEntry): string | undefined {
  const image = e.linux?.[0];
  const m = image ? /vmlinuz-(.+)$/.exec(image) : null;
  return m?.[1];
}

/** The value of root= on the entry's linux line. */
export function rootArgOf(e: GrubMenuEntry): string | undefined {
  const arg = e.linux?.slice(1).find((w) => w.startsWith("root="));
  return arg?.slice("root=".length);
}
