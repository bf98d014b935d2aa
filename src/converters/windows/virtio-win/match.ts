// Pure: which files of a virtio-win tree go into a guest, from the tree's relative paths alone.
//
// The rule is virt-v2v's (VIRT-V2V.md §5.4): the lowercased path must contain the architecture
// directory (`/amd64/` for x86_64, `/x86/` or `/i386/` for i386) and the OS directory as a whole
// path component, and end in .sys .inf .cat .pdb .dll or .exe. Selected files are flattened to
// their lowercased base names (they all land in %SystemRoot%\Drivers\VirtIO). Two additions:
// - the OS directory is chosen from those present in the tree (os-dirs.ts), so the documented
//   fallbacks (w11 → w10, 2k25 → 2k22) apply;
// - two selected files with the same base name from different folders keep the one whose path
//   sorts first (by lowercased path, then by path), and the clash is reported.
// Then, if both fwcfg.inf and qemufwcfg.inf were selected, every qemufwcfg.* file is dropped
// (both drive the same ACPI device; virt-v2v deletes qemufwcfg).
import { archDirNames, chooseOsDir, ALL_OS_DIR_NAMES, type WindowsOs } from "./os-dirs.js";

export const DRIVER_EXTENSIONS: readonly string[] = [".sys", ".inf", ".cat", ".pdb", ".dll", ".exe"];

/** A flattened name that is safe as a Windows file name and a host file name. */
const SAFE_NAME = /^[a-z0-9_][a-z0-9._+-]{0,127}$/;

export interface SelectedFile {
  /** The path in the tree, as given. */
  readonly from: string;
  /** The lowercased base name it gets in the guest. */
  readonly name: string;
}

export interface Clash {
  readonly name: string;
  readonly kept: string;
  readonly dropped: string;
}

export interface MatchResult {
  /** Sorted by name. */
  readonly files: SelectedFile[];
  /** Lowercased base names of the selected .inf files ("viostor", "netkvm"…). */
  readonly drivers: Set<string>;
  /** The OS directory used ("2k22"), if any. */
  readonly osDir?: string;
  readonly clashes: Clash[];
  /** Fallbacks taken, files skipped, the qemufwcfg rule: one sentence each. */
  readonly notes: string[];
}

/** Pure: "a/B/c.SYS" → ["a", "b", "c.sys"], with backslashes as separators and empty parts removed. */
export function pathComponents(path: string): string[] {
  return path.toLowerCase().split(/[/\\]+/).filter((c) => c.length > 0 && c !== ".");
}

const extensionOf = (name: string): string => {
  const i = name.lastIndexOf(".");
  return i <= 0 ? "" : name.slice(i);
};

/** Pure: does the path hold an architecture directory of `arch` (any component but the last)? */
function inArch(dirs: readonly string[], archNames: readonly string[]): boolean {
  return dirs.some((d) => archNames.includes(d));
}

/** Pure: the OS directory names (lowercase) that hold driver files for this architecture. */
export function osDirsPresent(paths: readonly string[], arch: WindowsOs["arch"]): Set<string> {
  const archNames = archDirNames(arch);
  const present = new Set<string>();
  for (const p of paths) {
    const c = pathComponents(p);
    const dirs = c.slice(0, -1);
    const base = c[c.length - 1] ?? "";
    if (!DRIVER_EXTENSIONS.includes(extensionOf(base)) || !inArch(dirs, archNames)) continue;
    for (const d of dirs) if (ALL_OS_DIR_NAMES.has(d)) present.add(d);
  }
  return present;
}

/** Pure: select and flatten the files of `paths` that belong to `os` (see the header). */
export function selectDriverFiles(paths: readonly string[], os: WindowsOs): MatchResult {
  const notes: string[] = [];
  const choice = chooseOsDir(os, osDirsPresent(paths, os.arch));
  notes.push(...choice.notes);
  const archNames = archDirNames(os.arch);
  const candidates: SelectedFile[] = [];
  let unsafe = 0;
  for (const from of paths) {
    const c = pathComponents(from);
    const dirs = c.slice(0, -1);
    const name = c[c.length - 1] ?? "";
    if (!DRIVER_EXTENSIONS.includes(extensionOf(name))) continue;
    if (!inArch(dirs, archNames) || !dirs.some((d) => choice.names.includes(d))) continue;
    if (!SAFE_NAME.test(name)) {
      unsafe++;
      continue;
    }
    candidates.push({ from, name });
  }
  if (unsafe > 0) notes.push(`${unsafe} driver file${unsafe === 1 ? "" : "s"} skipped: the name is not a plain file name`);

  // Deterministic winner on a clash: the lowercased path that sorts first, then the raw path.
  const cmp = (a: string, b: string): number => {
    const la = a.toLowerCase(), lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  candidates.sort((a, b) => cmp(a.from, b.from));
  const byName = new Map<string, SelectedFile>();
  const clashes: Clash[] = [];
  for (const f of candidates) {
    const prev = byName.get(f.name);
    if (prev) clashes.push({ name: f.name, kept: prev.from, dropped: f.from });
    else byName.set(f.name, f);
  }
  for (const k of clashes) notes.push(`two driver files are named ${k.name}: kept ${k.kept}, ignored ${k.dropped}`);

  let files = [...byName.values()];
  const infs = (): Set<string> => new Set(files.filter((f) => f.name.endsWith(".inf")).map((f) => f.name.slice(0, -4)));
  let drivers = infs();
  if (drivers.has("fwcfg") && drivers.has("qemufwcfg")) {
    files = files.filter((f) => !f.name.startsWith("qemufwcfg."));
    drivers = infs();
    notes.push("both fwcfg.inf and qemufwcfg.inf were found: the qemufwcfg files are left out");
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, drivers, ...(choice.entry ? { osDir: choice.entry.names[0]! } : {}), clashes, notes };
}
