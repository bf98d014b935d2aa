// The run's private temporary directory, in the large tmpdir virt-v2v uses, refused when the
// filesystem has less than 1 GiB free (overlays grow as the conversion writes). It holds an owner
// file (pid + start time) so that a later run can tell it was left by a dead run and remove it;
// stale ones are swept before the free space is measured.
import { mkdtemp, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { onCleanup } from "../host/cleanup.js";
import { selfIdentity } from "../host/processes.js";
import { V2vError } from "../model/errors.js";
import type { Reporter } from "../model/messages.js";
import { OWNER_FILE, sweepStaleWorkDirs } from "./stale-workdirs.js";

const GiB = 1024 ** 3;

export function largeTmpDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["VIRT_V2V_TMPDIR"] ?? env["LIBGUESTFS_CACHEDIR"] ?? "/var/tmp";
}

export interface WorkDir {
  readonly path: string;
  /** Remove it (once); also registered as a cleanup, so an interrupt removes it too. */
  readonly remove: () => Promise<void>;
}

export async function makeWorkDir(reporter?: Pick<Reporter, "info">): Promise<WorkDir> {
  const base = largeTmpDir();
  await sweepStaleWorkDirs(base, (line) => reporter?.info(line));
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
  try {
    await writeFile(join(path, OWNER_FILE), `${JSON.stringify(await selfIdentity())}\n`, { flag: "wx" });
  } catch (e) {
    await cleanup.run();
    throw new V2vError("NO_SPACE", `temporary directory ${base}: cannot write in ${path} (${(e as Error).message}); free space there or set VIRT_V2V_TMPDIR to another directory`, { cause: e });
  }
  return { path, remove: cleanup.run };
}
