// -i ova: a disk href that is missing from the OVA but present as VMware snapshot files
// ("disk.vmdk.000000001", ...) resolves to the highest-numbered one, by number, as virt-v2v does
// (its test-v2v-i-ova-snapshots); chunked files (ovf:chunkSize) share that naming and are refused,
// never taken for a snapshot.
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readOvaSource } from "../../../src/inputs/ova.js";
import { V2vError } from "../../../src/model/errors.js";
import { convertDisk, makeCtx, makeOvf, makeRawDisk, makeTempDir, readFixture } from "./ova-fixtures.js";

const MiB = 1024 * 1024;
let dir: string;
let qcow2: string;

beforeAll(async () => {
  dir = await makeTempDir();
  await makeRawDisk(join(dir, "d.raw"), 4 * MiB, "snapshot disk");
  qcow2 = join(dir, "d.qcow2");
  await convertDisk(join(dir, "d.raw"), qcow2, "qcow2");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A directory OVA holding makeOvf's one disk "disk.qcow2" under each of `names`; returns the path of the disk v2v chose. */
async function chosenFile(ova: string, names: readonly string[]): Promise<string> {
  const root = join(dir, ova);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "vm.ovf"), makeOvf([{ href: "disk.qcow2" }]));
  for (const n of names) await copyFile(qcow2, join(root, n));
  const ctx = makeCtx(dir);
  const src = await readOvaSource({ mode: "ova", args: [root] }, ctx);
  expect(src.disks).toHaveLength(1);
  const name = src.disks[0]!.displayName;
  expect(name.startsWith(`${ova}:`)).toBe(true);
  return name.slice(ova.length + 1);
}

describe("OVA snapshots", () => {
  test("zero-padded numbers as VMware writes them: the highest", async () => {
    expect(await chosenFile("padded", ["disk.qcow2.000000000", "disk.qcow2.000000002", "disk.qcow2.000000001"])).toBe("disk.qcow2.000000002");
  });

  test("numbers compare as numbers, not as text: .10 is newer than .9 and .2", async () => {
    expect(await chosenFile("unpadded", ["disk.qcow2.2", "disk.qcow2.9", "disk.qcow2.10"])).toBe("disk.qcow2.10");
  });

  test("suffixes that are not all digits, and names that only start like the href, are not snapshots", async () => {
    expect(await chosenFile("other-suffixes", ["disk.qcow2.3", "disk.qcow2.old", "disk.qcow2.4x", "disk.qcow2.9.bak", "disk.qcow2x7"])).toBe("disk.qcow2.3");
  });

  test("the file the href names wins over its snapshots", async () => {
    expect(await chosenFile("href-present", ["disk.qcow2", "disk.qcow2.000000005"])).toBe("disk.qcow2");
  });

  test("a name that only starts like the href is not its snapshot", async () => {
    const err = await chosenFile("prefix-only", ["disk.qcow22", "disk.qcow2x.1"]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).message).toMatch(/refers to disk file "disk\.qcow2", which is not in the OVA/);
  });
});

describe("chunked disk files", () => {
  test("an OVA whose disk is in chunks is refused, and no chunk is read as a snapshot", async () => {
    const root = join(dir, "chunked");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "chunkvm.ovf"), await readFixture("vmware-chunked.refused.ovf"));
    for (const n of ["chunkvm-disk1.vmdk.000000000", "chunkvm-disk1.vmdk.000000001"]) await copyFile(qcow2, join(root, n));
    const err = await readOvaSource({ mode: "ova", args: [root] }, makeCtx(dir)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("BAD_INPUT");
    expect((err as V2vError).message).toMatch(/"chunkvm-disk1\.vmdk" is split into chunks \(ovf:chunkSize\), which is not supported/);
  });
});
