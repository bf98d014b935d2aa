// Where the virtio-win drivers come from, in virt-v2v's order (VIRT-V2V.md §5.4):
// 1. $VIRTIO_WIN, else the legacy $VIRTIO_WIN_DIR: a directory, or a regular file taken as an
//    ISO. Anything else (missing, a device, a socket) is refused: the user asked for that path.
//    An empty value counts as unset.
// 2. /usr/share/virtio-win/virtio-win.iso when it is a regular file;
// 3. else the /usr/share/virtio-win directory;
// 4. else none: the conversion goes on without drivers, and the warning names `searched`.
// libosinfo's driver database (virt-v2v's step between 1 and 2) is not consulted.
// Block devices, which virt-v2v accepts for VIRTIO_WIN, are refused here: an ISO must be a file.
import { statSync } from "node:fs";
import { V2vError } from "../../../model/errors.js";

export const DEFAULT_VIRTIO_WIN_DIR = "/usr/share/virtio-win";
export const DEFAULT_VIRTIO_WIN_ISO = "/usr/share/virtio-win/virtio-win.iso";

export type PathKind = "dir" | "file" | "missing" | "other";
/** What a path is, following symlinks (stat, not lstat: the variable is the user's own setting). */
export type PathProbe = (path: string) => PathKind;

export interface DriverSource {
  readonly kind: "dir" | "iso" | "none";
  /** The directory or ISO; "" when none. */
  readonly path: string;
  /** Every place looked at, in order (for the no-drivers warning). */
  readonly searched: string[];
}

/** Pure: the driver source for this environment, given a probe of the host's paths. */
export function decideDriverSource(env: Readonly<Record<string, string | undefined>>, probe: PathProbe): DriverSource {
  const fromEnv = ([["VIRTIO_WIN", env["VIRTIO_WIN"]], ["VIRTIO_WIN_DIR", env["VIRTIO_WIN_DIR"]]] as const).find(([, v]) => v !== undefined && v !== "");
  if (fromEnv) {
    const [name, path] = fromEnv as readonly [string, string];
    const kind = probe(path);
    if (kind === "dir") return { kind: "dir", path, searched: [path] };
    if (kind === "file") return { kind: "iso", path, searched: [path] };
    const what = kind === "missing" ? "does not exist" : "is neither a directory nor a regular file";
    throw new V2vError("BAD_OPTION", `${name}=${path} ${what}; set ${name} to the virtio-win directory or to the virtio-win ISO file, or unset it`);
  }
  if (probe(DEFAULT_VIRTIO_WIN_ISO) === "file") return { kind: "iso", path: DEFAULT_VIRTIO_WIN_ISO, searched: [DEFAULT_VIRTIO_WIN_ISO] };
  if (probe(DEFAULT_VIRTIO_WIN_DIR) === "dir") return { kind: "dir", path: DEFAULT_VIRTIO_WIN_DIR, searched: [DEFAULT_VIRTIO_WIN_ISO, DEFAULT_VIRTIO_WIN_DIR] };
  return { kind: "none", path: "", searched: [DEFAULT_VIRTIO_WIN_ISO, DEFAULT_VIRTIO_WIN_DIR] };
}

/** The host's answer for a path: stat, following symlinks. */
export function statProbe(path: string): PathKind {
  try {
    const st = statSync(path);
    return st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "other";
  }
}

/** Effectful: the driver source of this process's environment and host. */
export function locateDriverSource(env: Readonly<Record<string, string | undefined>> = process.env): DriverSource {
  return decideDriverSource(env, statProbe);
}
