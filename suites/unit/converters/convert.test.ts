// The convert step: which converter runs, its post-convert hook, and the target's decision made
// from the drivers the converter reports (a converter never chooses buses or machine itself).
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { BLOCK_DRIVER_LINUX_WARNING, convertGuest, pickConverter } from "../../../src/converters/convert.js";
import type { Converter } from "../../../src/model/contracts.js";
import { V2vError } from "../../../src/model/errors.js";
import type { ConverterOutcome, GuestDriverSupport } from "../../../src/model/types.js";
import { FakeGuest } from "../fakes/fake-guest.js";
import { debianInspection, oneDiskSource, testContext } from "./linux/debian-guest.js";

const all = (v: boolean): GuestDriverSupport => ({ virtioBlk: v, virtioNet: v, virtioRng: v, virtioBalloon: v });

function stub(name: string, distro: string, drivers: GuestDriverSupport, extra: Partial<Converter> = {}): Converter & { runs: string[] } {
  const runs: string[] = [];
  return {
    name, supports: `${distro} guests`, runs,
    handles: (i) => i.distro === distro,
    convert: async () => { runs.push("convert"); return { drivers, changes: [`${name} converted`], warnings: [] }; },
    ...extra,
  };
}

describe("pickConverter", () => {
  test("the first converter that handles the guest runs; the others are not asked to convert", async () => {
    const deb = stub("deb", "debian", all(true));
    const fed = stub("fed", "fedora", all(true));
    expect(pickConverter([fed, deb], debianInspection()).name).toBe("deb");
    const { ctx } = testContext();
    const r = await convertGuest([fed, deb], new FakeGuest(), debianInspection(), oneDiskSource(), ctx);
    expect(r.converter).toBe("deb");
    expect(deb.runs).toEqual(["convert"]);
    expect(fed.runs).toEqual([]);
  });

  test("no converter: UNSUPPORTED_GUEST naming the guest and every supported kind", () => {
    const insp = { ...debianInspection(), distro: "gentoo", productName: "Gentoo" };
    let err: unknown;
    try { pickConverter([stub("deb", "debian", all(true)), stub("fed", "fedora", all(true))], insp); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("UNSUPPORTED_GUEST");
    expect((err as V2vError).message).toContain("Gentoo (linux/gentoo)");
    expect((err as V2vError).message).toContain("supported: debian guests; fedora guests");
  });
});

describe("convertGuest", () => {
  test("--block-driver reaches the converter; a Linux guest keeps virtio-blk with a warning; a converter that set virtio-scsi gets it", async () => {
    const { ctx } = testContext();
    let seen: unknown;
    const deb = stub("deb", "debian", all(true), { convert: async (_g, _i, _s, _c, opts) => { seen = opts; return { drivers: all(true), changes: [], warnings: [] }; } });
    const r = await convertGuest([deb], new FakeGuest(), debianInspection(), oneDiskSource(), ctx, { blockDriver: "virtio-scsi" });
    expect(seen).toEqual({ blockDriver: "virtio-scsi" });
    expect(r.guestcaps.blockBus).toBe("virtio-blk");
    expect(r.warnings).toEqual([BLOCK_DRIVER_LINUX_WARNING]);
    const scsi = stub("deb", "debian", { ...all(true), virtioBlk: false, virtioScsi: true });
    const s = await convertGuest([scsi], new FakeGuest(), debianInspection(), oneDiskSource(), ctx, { blockDriver: "virtio-scsi" });
    expect(s.guestcaps).toMatchObject({ blockBus: "virtio-scsi", machine: "q35", virtioDrivers: true });
    expect(s.warnings).toEqual([]);
    const plain = await convertGuest([stub("deb", "debian", all(true))], new FakeGuest(), debianInspection(), oneDiskSource(), ctx);
    expect(plain.warnings).toEqual([]);
  });

  test("guestcaps come from the target module, decided on the reported drivers", async () => {
    const { ctx } = testContext();
    const virtio = await convertGuest([stub("deb", "debian", all(true))], new FakeGuest(), debianInspection(), oneDiskSource(), ctx);
    expect(virtio.guestcaps).toMatchObject({ blockBus: "virtio-blk", nicModel: "virtio-net", machine: "q35", virtioDrivers: true });
    expect(virtio.drivers).toEqual(all(true));
    const none = await convertGuest([stub("deb", "debian", all(false))], new FakeGuest(), debianInspection(), oneDiskSource(), ctx);
    expect(none.guestcaps).toMatchObject({ blockBus: "sata", nicModel: "e1000", virtioDrivers: false, virtioRng: false });
    const netOnly = await convertGuest([stub("deb", "debian", { ...all(false), virtioNet: true })], new FakeGuest(), debianInspection(), oneDiskSource(), ctx);
    expect(netOnly.guestcaps).toMatchObject({ blockBus: "sata", nicModel: "virtio-net", virtioDrivers: false });
  });

  test("the post-convert hook runs after convert, on the same handle, and its outcome is the result", async () => {
    const { ctx } = testContext();
    const g = new FakeGuest();
    const order: string[] = [];
    const conv = stub("win", "debian", all(true), {
      convert: async (h) => { order.push("convert"); expect(h).toBe(g); return { drivers: all(true), changes: ["a"], warnings: [] }; },
      postConvert: async (h, _i, outcome: ConverterOutcome) => {
        order.push("post");
        expect(h).toBe(g);
        return { ...outcome, drivers: { ...outcome.drivers, virtioBalloon: false }, changes: [...outcome.changes, "firstboot"] };
      },
    });
    const r = await convertGuest([conv], g, debianInspection(), oneDiskSource(), ctx);
    expect(order).toEqual(["convert", "post"]);
    expect(r.changes).toEqual(["a", "firstboot"]);
    expect(r.guestcaps.virtioBalloon).toBe(false);
  });
});

describe("binary files through the guest handle", () => {
  test("upload then download returns the same bytes; download refuses a file over maxBytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "v2v-fake-"));
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10, 13]);
    await writeFile(join(dir, "in.bin"), bytes);
    const g = new FakeGuest();
    await g.mkdirP("/Windows");
    await g.upload(join(dir, "in.bin"), "/Windows/x.sys", 0o644);
    await g.download("/Windows/x.sys", join(dir, "out.bin"));
    expect(Buffer.compare(await readFile(join(dir, "out.bin")), bytes)).toBe(0);
    await expect(g.download("/Windows/x.sys", join(dir, "o2.bin"), 4)).rejects.toThrow(/8 bytes > 4/);
  });
});
