import { rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deriveDiskName, diskInput, readDiskSource } from "../../../src/inputs/disk.js";
import { V2vError } from "../../../src/model/errors.js";
import type { InputOptions } from "../../../src/model/types.js";
import { convertDisk, makeCtx, makeRawDisk, makeTempDir } from "./ova-fixtures.js";

const MiB = 1024 * 1024;

describe("deriveDiskName", () => {
  test.each([
    ["/images/fedora-sda", "fedora"],
    ["win2019.qcow2", "win2019"],
    ["/a/b/guest.img", "guest"],
    ["guest.img.qcow2", "guest.img"], // only the first matching suffix is removed
    ["disk.raw-sda", "disk.raw"],
    ["plainname", "plainname"],
    [".img", ".img"],
  ])("%s -> %s", (file, name) => {
    expect(deriveDiskName(file)).toBe(name);
  });
});

describe("readDiskSource", () => {
  let dir: string;
  const ctx = () => makeCtx(dir);
  const opts = (args: string[], inputFormat?: InputOptions["inputFormat"]): InputOptions => ({ mode: "disk", args, inputFormat });

  beforeAll(async () => {
    dir = await makeTempDir();
    await makeRawDisk(join(dir, "guest-sda"), 2 * MiB, "first");
    await makeRawDisk(join(dir, "data.raw"), MiB, "second");
    await convertDisk(join(dir, "data.raw"), join(dir, "data.qcow2"), "qcow2");
    await convertDisk(join(dir, "data.raw"), join(dir, "data.vhd"), "vpc");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("probes each file's format and invents the rest of the metadata", async () => {
    const rel = relative(process.cwd(), join(dir, "guest-sda"));
    const src = await diskInput.readSource(opts([rel, join(dir, "data.qcow2")]), ctx());
    expect(diskInput.spec.name).toBe("disk");
    expect(src).toEqual({
      name: "guest",
      hypervisor: "unknown",
      memoryBytes: 2048 * MiB,
      vcpus: 1,
      firmware: "unknown",
      disks: [
        {
          index: 0,
          image: {
            kind: "checked",
            qemuUri: `json:${JSON.stringify({ driver: "raw", file: { driver: "file", filename: join(dir, "guest-sda") } })}`,
            format: "raw",
            chain: [{ label: rel, format: "raw" }],
            virtualSizeBytes: 2 * MiB,
          },
          displayName: rel, virtualSizeBytes: 2 * MiB,
        },
        {
          index: 1,
          image: {
            kind: "checked",
            qemuUri: `json:${JSON.stringify({ driver: "qcow2", file: { driver: "file", filename: join(dir, "data.qcow2") }, backing: null })}`,
            format: "qcow2",
            chain: [{ label: join(dir, "data.qcow2"), format: "qcow2" }],
            virtualSizeBytes: MiB,
          },
          displayName: join(dir, "data.qcow2"), virtualSizeBytes: MiB,
        },
      ],
      nics: [{ networkName: "default", vnetType: "network" }],
      removableCount: 0,
    });
  });

  test("-if forces the format instead of probing", async () => {
    const src = await readDiskSource(opts([join(dir, "data.qcow2")], "raw"), ctx());
    expect(src.disks[0]?.image.kind === "checked" && src.disks[0].image.format).toBe("raw");
  });

  async function badInput(args: string[]): Promise<V2vError> {
    const err = await readDiskSource(opts(args), ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("BAD_INPUT");
    return err as V2vError;
  }

  test("a missing file is BAD_INPUT naming it", async () => {
    const missing = join(dir, "nope.qcow2");
    expect((await badInput([join(dir, "data.qcow2"), missing])).message).toBe(`${missing}: no such file; check the path`);
  });

  test("a directory is BAD_INPUT", async () => {
    expect((await badInput([dir])).message).toMatch(/not a regular file/);
  });

  test("a format other than raw/qcow2/vmdk is BAD_INPUT naming the format", async () => {
    expect((await badInput([join(dir, "data.vhd")])).message).toMatch(/data\.vhd: disk format vpc \(VHD\) is not supported/);
  });

  test("no file at all is BAD_INPUT", async () => {
    expect((await badInput([])).message).toMatch(/-i disk/);
  });
});
