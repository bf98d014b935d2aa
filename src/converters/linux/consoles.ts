// Pure: Xen's paravirtual consoles (xvc0, hvc0) become the first serial port (ttyS0), which the
// target emulates; otherwise the kernel and getty would write to a console that does not exist.

export interface ConsoleEdit {
  readonly text: string;
  /** Number of occurrences replaced. */
  readonly replaced: number;
}

/** console=xvc0 / console=hvc0 -> console=ttyS0 (keeps any ",115200n8" options). */
export function replaceXenConsoleArgs(text: string): ConsoleEdit {
  let replaced = 0;
  const out = text.replace(/\bconsole=(xvc0|hvc0)\b/g, () => { replaced++; return "console=ttyS0"; });
  return { text: out, replaced };
}

/** In /etc/default/grub: only inside GRUB_CMDLINE_LINUX* values. */
export function replaceXenConsolesInGrubDefaults(text: string): ConsoleEdit {
  let replaced = 0;
  const out = text.split("\n").map((line) => {
    if (!/^\s*(export\s+)?GRUB_CMDLINE_LINUX\w*=/.test(line)) return line;
    const r = replaceXenConsoleArgs(line);
    replaced += r.replaced;
    return r.text;
  });
  return { text: out.join("\n"), replaced };
}

/** /etc/inittab: getty lines on xvc0/hvc0 ("co:2345:respawn:/sbin/getty xvc0 9600 vt100-nav"). */
export function replaceXenConsolesInInittab(text: string): ConsoleEdit {
  let replaced = 0;
  const out = text.split("\n").map((line) => {
    if (/^\s*#/.test(line) || !/getty/.test(line)) return line;
    return line.replace(/\b(xvc0|hvc0)\b/g, () => { replaced++; return "ttyS0"; });
  });
  return { text: out.join("\n"), replaced };
}
