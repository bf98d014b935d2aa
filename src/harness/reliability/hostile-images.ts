// Builders of hostile and broken disk images, for the reliability corpus and the unit tests: each
// one is what an attacker or a broken exporter could hand to v2v. Made with qemu-img (with -u, so
// the references are never opened while building) and by patching header bytes.
import { open, writeFile } from "node:fs/promises";
import { run } from "../../host/exec.js";

/** A raw image of `sizeBytes` with `marker` at offset 64 KiB, so what qemu reads can be recognised. */
export async function rawWithMarker(path: string, sizeBytes: number, marker: string): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.truncate(sizeBytes);
    await fh.write(Buffer.from(marker), 0, Buffer.byteLength(marker), 65536);
  } finally {
    await fh.close();
  }
}

/** A qcow2 whose header names `backing` (anything: a host path, nbd:, json:, a device) as raw or `backingFormat`. */
export async function qcow2WithBacking(path: string, backing: string, backingFormat = "raw", sizeBytes = 1024 * 1024): Promise<void> {
  await run(["qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", backingFormat, path, String(sizeBytes)]);
}

/** A qcow2 that keeps its data in an external file (`data_file`), here a host file. */
export async function qcow2WithDataFile(path: string, dataFile: string): Promise<void> {
  await run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", `data_file=${dataFile},data_file_raw=on`, path, "1M"]);
}

/** A LUKS-encrypted qcow2. */
export async function encryptedQcow2(path: string): Promise<void> {
  await run([
    "qemu-img", "create", "-q", "--object", "secret,id=s0,data=hostile", "-f", "qcow2",
    "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10", path, "1M",
  ]);
}

/** A VMDK descriptor (text) with the given extent lines and optional extra keys. */
export async function vmdkDescriptor(path: string, extents: readonly string[], opts: { createType?: string; parent?: string } = {}): Promise<void> {
  const lines = [
    "# Disk DescriptorFile",
    "version=1",
    "CID=12345678",
    `parentCID=${opts.parent ? "87654321" : "ffffffff"}`,
    ...(opts.parent ? [`parentFileNameHint="${opts.parent}"`] : []),
    `createType="${opts.createType ?? "monolithicFlat"}"`,
    "",
    "# Extent description",
    ...extents,
    "",
    "# The Disk Data Base",
    "#DDB",
    'ddb.adapterType = "lsilogic"',
    "",
  ];
  await writeFile(path, lines.join("\n"));
}

/**
 * A sparse VMDK (KDMV header) whose capacity is 0 and whose embedded descriptor names `extent`:
 * qemu reads such a file as a descriptor and would open the extent.
 */
export async function sparseVmdkZeroCapacity(path: string, extent: string): Promise<void> {
  await run(["qemu-img", "create", "-q", "-f", "vmdk", path, "1M"]);
  const fh = await open(path, "r+");
  try {
    const header = Buffer.alloc(512);
    await fh.read(header, 0, 512, 0);
    const descOffset = Number(header.readBigUInt64LE(28)) * 512;
    const descSize = Number(header.readBigUInt64LE(36)) * 512;
    header.writeBigUInt64LE(0n, 12); // capacity
    await fh.write(header, 0, 512, 0);
    const text = `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2048 FLAT "${extent}" 0\n`;
    const desc = Buffer.alloc(descSize);
    desc.write(text, "latin1");
    await fh.write(desc, 0, descSize, descOffset);
  } finally {
    await fh.close();
  }
}

/** A file with another format's magic, for "unsupported format" refusals. */
export async function foreignFormat(path: string, format: "vpc" | "vdi" | "qed" | "vhdx"): Promise<void> {
  await run(["qemu-img", "create", "-q", "-f", format, path, "1M"]);
}
