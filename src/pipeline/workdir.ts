// The run's private temporary directory, in the large tmpdir virt-v2v uses, refused when the
// filesystem has less than 1 GiB free (overlays grow as the conversion writes).
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { onCleanup } from "../host/cleanup.js";
import { V2vError } from "./errors.js";

const GiB = 1024 ** 3;

export function largeTmpDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["VIRT_V2V_TMPDIR"] ?? env["LIBGUESTFS_CACHEDIR"] ?? "/var/tmp";
}

export async function makeWorkDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const base = largeTmpDir();
  const st = await statfs(base).catch((e: unknown) => {
    throw new V2vError("NO_SPACE", `temporary directory ${base} is not usable (${String(e)}); set VIRT_V2V_TMPDIR to a writable directory`);
  });
  const free = Number(st.bavail) * Number(st.bsize);
  if (free < GiB) {
    throw new V2vError(
      "NO_SPACE",
      `temporary directory ${base} has ${(free / GiB).toFixed(2)} GiB free, 1 GiB is needed; free space there or set VIRT_V2V_TMPDIR to another directory`,
    );
  }
  const path = await mkdtemp(join(base, "v2v-"));
  const cleanup = onCleanup(`remove ${path}`, () => rm(path, { recursive: true, force: true }));
  return { path, remove: cleanup.run };
}
