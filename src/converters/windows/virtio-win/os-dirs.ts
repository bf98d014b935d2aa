// Pure: which OS directory of a virtio-win tree holds the drivers for a given Windows.
//
// The table is virt-v2v 2.2's (docs VIRT-V2V.md §5.4) plus what 2.2 lacks: `2k25` (Windows Server
// 2025) and a build-number rule for Windows 11, so that a 10.0 guest is told apart by its osinfo
// short id and, when that is missing or unknown, by its build number.
//
// Fallbacks, each reported in a note:
// - Windows 11 (win11, or a 10.0 client with build ≥ 22000) uses `w11`; a tree without `w11`
//   falls back to `w10` (the same kernel family; older virtio-win releases shipped only w10).
// - Windows Server 2025 (win2k25, or a 10.0 server with build ≥ 26100) uses `2k25`; a tree
//   without `2k25` falls back to `2k22` (virt-v2v 2.2 has no 2k25 at all; the 2k22 drivers are
//   the nearest signed ones).
// - A 10.0 server with neither a known osinfo id nor a build number gets no directory (a note
//   says so): guessing a server release could install drivers signed for another one.
// No other fallback exists: a tree without the guest's directory gives no drivers.

export type WindowsArch = "x86_64" | "i386";
export type WindowsVariant = "client" | "server";

/** What the converter knows of the guest's Windows (from inspection). */
export interface WindowsOs {
  readonly major: number;
  readonly minor: number;
  readonly variant: WindowsVariant;
  readonly arch: WindowsArch;
  /** libosinfo short id ("win10", "win2k22"…); "" when unknown. */
  readonly osinfo: string;
  /** CurrentBuildNumber from the SOFTWARE hive, when known. */
  readonly build?: number;
}

/** One row of the table: the directory names (lowercase) that hold drivers for one release. */
export interface OsDirEntry {
  /** Canonical short name first ("2k22"), then its long alias ("win2022"). */
  readonly names: readonly string[];
  readonly major: number;
  readonly minor: number;
  /** Absent: any variant (XP and 2003). */
  readonly variant?: WindowsVariant;
  /** For 10.0 only: the osinfo short id the row stands for. */
  readonly osinfo?: string;
}

export const OS_DIRS: readonly OsDirEntry[] = [
  { names: ["xp", "winxp"], major: 5, minor: 1 },
  { names: ["2k3", "win2003"], major: 5, minor: 2 },
  { names: ["vista"], major: 6, minor: 0, variant: "client" },
  { names: ["2k8", "win2008"], major: 6, minor: 0, variant: "server" },
  { names: ["w7", "win7"], major: 6, minor: 1, variant: "client" },
  { names: ["2k8r2", "win2008r2"], major: 6, minor: 1, variant: "server" },
  { names: ["w8", "win8"], major: 6, minor: 2, variant: "client" },
  { names: ["2k12", "win2012"], major: 6, minor: 2, variant: "server" },
  { names: ["w8.1", "win8.1"], major: 6, minor: 3, variant: "client" },
  { names: ["2k12r2", "win2012r2"], major: 6, minor: 3, variant: "server" },
  { names: ["w10", "win10"], major: 10, minor: 0, variant: "client", osinfo: "win10" },
  { names: ["w11", "win11"], major: 10, minor: 0, variant: "client", osinfo: "win11" },
  { names: ["2k16", "win2016"], major: 10, minor: 0, variant: "server", osinfo: "win2k16" },
  { names: ["2k19", "win2019"], major: 10, minor: 0, variant: "server", osinfo: "win2k19" },
  { names: ["2k22", "win2022"], major: 10, minor: 0, variant: "server", osinfo: "win2k22" },
  { names: ["2k25", "win2025"], major: 10, minor: 0, variant: "server", osinfo: "win2k25" },
];

/** Every OS directory name of the table, lowercase. */
export const ALL_OS_DIR_NAMES: ReadonlySet<string> = new Set(OS_DIRS.flatMap((e) => e.names));

/** First build numbers of the 10.0 releases (Microsoft's published release builds). */
export const BUILDS = { win11: 22000, win2k16: 14393, win2k19: 17763, win2k22: 20348, win2k25: 26100 } as const;

const byOsinfo = (id: string): OsDirEntry => OS_DIRS.find((e) => e.osinfo === id)!;

/** A row's canonical name ("2k22"). */
export const canonicalName = (e: OsDirEntry): string => e.names[0]!;

/** Pure: the 10.0 release a guest is, as an osinfo id, or undefined when it cannot be told. */
export function windows10Release(os: WindowsOs): string | undefined {
  const id = os.osinfo.toLowerCase();
  const b = os.build;
  if (os.variant === "client") {
    // The build wins over "win10": Windows 11's registry still says "Windows 10" in ProductName,
    // so inspection may report win10 for it.
    if (id === "win11") return "win11";
    return b !== undefined && b >= BUILDS.win11 ? "win11" : "win10";
  }
  // The build wins here too when it is known: libguestfs 1.48 reports win2k16 for Server 2025
  // (build 26100), as measured on the built windows-2025-uefi guest.
  if (b === undefined) return ["win2k16", "win2k19", "win2k22", "win2k25"].includes(id) ? id : undefined;
  if (b >= BUILDS.win2k25) return "win2k25";
  if (b >= BUILDS.win2k22) return "win2k22";
  if (b >= BUILDS.win2k19) return "win2k19";
  if (b >= BUILDS.win2k16) return "win2k16";
  return undefined; // a pre-release 10.0 server build: no signed drivers for it
}

export interface OsDirCandidates {
  /** Rows to try, best first: the guest's own, then its documented fallback. */
  readonly entries: readonly OsDirEntry[];
  /** Why there is none, when entries is empty. */
  readonly note?: string;
}

/** Pure: the rows that may hold this guest's drivers, best first (see the fallbacks above). */
export function osDirCandidates(os: WindowsOs): OsDirCandidates {
  if (os.major === 10 && os.minor === 0) {
    const rel = windows10Release(os);
    if (rel === undefined) {
      return { entries: [], note: `Windows Server 10.0 with osinfo "${os.osinfo}" and ${os.build === undefined ? "no build number" : `build ${os.build}`} is not a release virtio-win has drivers for` };
    }
    if (rel === "win11") return { entries: [byOsinfo("win11"), byOsinfo("win10")] };
    if (rel === "win2k25") return { entries: [byOsinfo("win2k25"), byOsinfo("win2k22")] };
    return { entries: [byOsinfo(rel)] };
  }
  const rows = OS_DIRS.filter((e) => e.major === os.major && e.minor === os.minor && (e.variant === undefined || e.variant === os.variant));
  if (rows.length === 0) return { entries: [], note: `Windows ${os.major}.${os.minor} ${os.variant} has no virtio-win directory` };
  return { entries: rows };
}

export interface OsDirChoice {
  /** The row chosen, or undefined when the tree has none of the candidates. */
  readonly entry?: OsDirEntry;
  /** The directory names that select files (the chosen row's names); empty when none. */
  readonly names: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Pure: the OS directory to take drivers from, given the OS directory names present in the tree
 * (lowercase, for the guest's architecture). The first candidate present wins; taking a fallback
 * adds a note naming what was missing.
 */
export function chooseOsDir(os: WindowsOs, present: ReadonlySet<string>): OsDirChoice {
  const { entries, note } = osDirCandidates(os);
  if (entries.length === 0) return { names: [], notes: note ? [note] : [] };
  const has = (e: OsDirEntry): boolean => e.names.some((n) => present.has(n));
  const idx = entries.findIndex(has);
  if (idx < 0) return { names: [], notes: [`the driver tree has no ${entries.map(canonicalName).join(" or ")} directory for ${os.arch}`] };
  const entry = entries[idx]!;
  const notes = idx === 0 ? [] : [`the driver tree has no ${canonicalName(entries[0]!)} directory for ${os.arch}; using the ${canonicalName(entry)} drivers instead`];
  return { entry, names: entry.names, notes };
}

/** The directory names of a guest's architecture ("amd64" for x86_64; "x86" and "i386" for i386). */
export function archDirNames(arch: WindowsArch): readonly string[] {
  return arch === "x86_64" ? ["amd64"] : ["x86", "i386"];
}

/** "10.0 x86_64 server win2k22": the words virt-v2v's no-drivers warning uses. */
export function describeWindows(os: WindowsOs): string {
  return `${os.major}.${os.minor} ${os.arch} ${os.variant} ${os.osinfo || "unknown"}${os.build === undefined ? "" : ` (build ${os.build})`}`;
}
