// Pure parsers of image headers: format detection, qcow2 headers, VMDK sparse headers and descriptors.
import { describe, expect, test } from "vitest";
import { detectFormat } from "../../../../src/inputs/image/formats.js";
import { parseQcow2Header } from "../../../../src/inputs/image/qcow2-header.js";
import { parseDescriptor, parseSparseHeader } from "../../../../src/inputs/image/vmdk.js";

const bytes = (text: string, size = 4096): Buffer => {
  const b = Buffer.alloc(size);
  b.write(text, "latin1");
  return b;
};

function qcow2(o: { version?: number; backing?: string; incompatible?: bigint; crypt?: number; extensions?: [number, Buffer][] } = {}): Buffer {
  const b = Buffer.alloc(65536);
  b.write("QFI\xfb", 0, "latin1");
  const version = o.version ?? 3;
  b.writeUInt32BE(version, 4);
  b.writeBigUInt64BE(1048576n, 24);
  b.writeUInt32BE(o.crypt ?? 0, 32);
  let at = 72;
  if (version === 3) {
    b.writeBigUInt64BE(o.incompatible ?? 0n, 72);
    b.writeUInt32BE(104, 100);
    at = 104;
  }
  for (const [type, data] of o.extensions ?? []) {
    b.writeUInt32BE(type, at);
    b.writeUInt32BE(data.length, at + 4);
    data.copy(b, at + 8);
    at += 8 + Math.ceil(data.length / 8) * 8;
  }
  b.writeUInt32BE(0, at);
  if (o.backing) {
    const off = 4096;
    b.writeBigUInt64BE(BigInt(off), 8);
    b.writeUInt32BE(Buffer.byteLength(o.backing), 16);
    b.write(o.backing, off);
  }
  return b;
}

describe("detectFormat", () => {
  test.each([
    ["qcow2 v3", qcow2(), "qcow2"],
    ["sparse VMDK", bytes("KDMV"), "vmdk-sparse"],
    ["VMDK descriptor", bytes("# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n"), "vmdk-descriptor"],
    ["descriptor without its comment line", bytes("version=1\nCID=1\ncreateType=\"vmfs\"\n"), "vmdk-descriptor"],
    ["zeros", Buffer.alloc(4096), "raw"],
    ["a file that only mentions createType later", bytes("hello\nversion=1\ncreateType=x"), "raw"],
  ])("%s", (_n, head, kind) => expect(detectFormat(head).kind).toBe(kind));

  test.each([
    ["qcow (version 1)", qcow2({ version: 1 }), /qcow version 1/],
    ["COWD", bytes("COWD"), /COWD/],
    ["vpc", bytes("conectix"), /vpc/],
    ["vhdx", bytes("vhdxfile"), /vhdx/],
    ["qed", bytes("QED\0"), /qed/],
  ])("%s is unsupported, by name", (_n, head, name) => {
    const d = detectFormat(head);
    expect(d.kind).toBe("unsupported");
    expect(d.kind === "unsupported" && d.name).toMatch(name);
  });

  test("vdi by its signature at 0x40", () => {
    const b = Buffer.alloc(4096);
    b.writeUInt32LE(0xbeda107f, 0x40);
    expect(detectFormat(b)).toEqual({ kind: "unsupported", name: "vdi" });
  });
});

describe("parseQcow2Header", () => {
  test("backing name location and backing format extension", () => {
    const h = parseQcow2Header(qcow2({ backing: "base.raw", extensions: [[0xe2792aca, Buffer.from("raw")]] }));
    expect(h).toMatchObject({ version: 3, virtualSizeBytes: 1048576, backingName: { offset: 4096, length: 8 }, backingFormat: "raw", externalDataFile: false, encryption: 0 });
  });
  test("v2 headers have no extension area length field", () => {
    expect(parseQcow2Header(qcow2({ version: 2, backing: "b" })).backingName).toEqual({ offset: 4096, length: 1 });
  });
  test("an external data file: incompatible bit 2, or the data-file extension", () => {
    expect(parseQcow2Header(qcow2({ incompatible: 4n })).externalDataFile).toBe(true);
    expect(parseQcow2Header(qcow2({ extensions: [[0x44415441, Buffer.from("/etc/shadow")]] })).externalDataFile).toBe(true);
    expect(parseQcow2Header(qcow2({ incompatible: 1n })).externalDataFile).toBe(false);
  });
  test("encryption method is reported", () => expect(parseQcow2Header(qcow2({ crypt: 2 })).encryption).toBe(2));
  test("nonsense is an Error", () => {
    expect(() => parseQcow2Header(Buffer.alloc(40))).toThrow(/truncated/);
    const long = qcow2({ backing: "x" });
    long.writeUInt32BE(5000, 16);
    expect(() => parseQcow2Header(long)).toThrow(/backing file name is 5000 bytes/);
    const ext = qcow2();
    ext.writeUInt32BE(7, 104);
    ext.writeUInt32BE(1_000_000, 108);
    expect(() => parseQcow2Header(ext)).toThrow(/runs past the header/);
  });
});

describe("VMDK", () => {
  test("a sparse header's capacity and embedded descriptor", () => {
    const b = Buffer.alloc(512);
    b.write("KDMV", 0, "latin1");
    b.writeBigUInt64LE(2048n, 12);
    b.writeBigUInt64LE(1n, 28);
    b.writeBigUInt64LE(20n, 36);
    expect(parseSparseHeader(b)).toEqual({ capacitySectors: 2048, descriptor: { offset: 512, length: 10240 } });
    b.writeBigUInt64LE(1_000_000n, 36);
    expect(() => parseSparseHeader(b)).toThrow(/impossible/);
  });

  test("descriptor: extents, createType, and a parent only when parentCID is set", () => {
    const text = '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=2a\nparentFileNameHint="base.vmdk"\ncreateType="twoGbMaxExtentFlat"\nRW 100 FLAT "a-f001.vmdk" 0\nRDONLY 50 FLAT "a-f002.vmdk" 10\nRW 8 ZERO\n';
    expect(parseDescriptor(text)).toEqual({
      createType: "twoGbMaxExtentFlat",
      parentFileNameHint: "base.vmdk",
      extents: [
        { access: "RW", sectors: 100, type: "FLAT", file: "a-f001.vmdk", offsetSectors: 0 },
        { access: "RDONLY", sectors: 50, type: "FLAT", file: "a-f002.vmdk", offsetSectors: 10 },
        { access: "RW", sectors: 8, type: "ZERO", offsetSectors: 0 },
      ],
    });
    expect(parseDescriptor(text.replace("parentCID=2a", "parentCID=ffffffff")).parentFileNameHint).toBeUndefined();
  });

  test("a malformed extent line, or a file-less FLAT extent, is an Error", () => {
    expect(() => parseDescriptor('RW 100 FLAT "x" junk\n')).toThrow(/malformed/);
    expect(() => parseDescriptor("RW 100 FLAT\n")).toThrow(/names no file/);
  });
});
