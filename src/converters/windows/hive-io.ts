// Registry hives in and out of the guest: downloaded through libguestfs (bounded, regular files
// only), parsed and edited in memory by src/registry/hive.ts, uploaded back in one piece.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GuestHandle } from "../../model/guest-handle.js";
import { Hive } from "../../registry/hive.js";

/** Real SOFTWARE hives reach a few hundred MiB on old, busy servers. */
export const MAX_HIVE_BYTES = 512 * 1024 * 1024;

let counter = 0;
const scratch = (workDir: string): string => join(workDir, `hive-${process.pid}-${++counter}`);

/** The hive at a guest path; `what` names it in errors ("SYSTEM hive /Windows/System32/config/SYSTEM"). */
export async function loadHive(g: GuestHandle, path: string, what: string, workDir: string): Promise<Hive> {
  const local = scratch(workDir);
  try {
    await g.download(path, local, MAX_HIVE_BYTES);
    return Hive.parse(await readFile(local), `${what} ${path}`);
  } finally {
    await rm(local, { force: true });
  }
}

/** Write the edited hive back over the guest's file. */
export async function saveHive(g: GuestHandle, hive: Hive, path: string, workDir: string): Promise<void> {
  const local = scratch(workDir);
  try {
    await writeFile(local, hive.toBuffer());
    await g.upload(local, path);
  } finally {
    await rm(local, { force: true });
  }
}
