// The free-space check before conversion: virt-v2v 2.2's thresholds per mountpoint, a refusal
// naming the filesystem and both numbers, and filesystems whose free space cannot be read.
import { describe, expect, test } from "vitest";
import { checkFreeSpace, requiredBytes } from "../../../src/pipeline/free-space.js";
import { V2vError } from "../../../src/model/errors.js";
import type { Inspection } from "../../../src/model/types.js";
import { FakeGuest } from "../fakes/fake-guest.js";

const MiB = 1024 * 1024;

const inspection = (mountpoints: readonly string[], osType = "linux"): Inspection => ({
  root: "/dev/sda2", osType, distro: osType === "windows" ? "windows" : "debian", majorVersion: 12, minorVersion: 0,
  productName: "p", arch: "x86_64", osinfo: "debian12", packageFormat: "deb", packageManagement: "apt",
  mountpoints: mountpoints.map((mountpoint, i) => ({ mountpoint, device: `/dev/sda${i + 1}` })),
  applications: [], firmware: "bios",
});

/** A guest whose filesystems have these free bytes; a mountpoint missing here fails like swap does. */
class SpaceGuest extends FakeGuest {
  readonly asked: string[] = [];
  constructor(private readonly free: Readonly<Record<string, number>>) { super(); }
  override async freeBytes(path: string): Promise<number> {
    this.asked.push(path);
    const n = this.free[path];
    if (n === undefined) throw new Error(`statvfs: ${path}: not a mounted filesystem`);
    return n;
  }
}

async function refusal(p: Promise<unknown>): Promise<V2vError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("NO_SPACE");
  return e as V2vError;
}

describe("requiredBytes", () => {
  test("/ of a Linux guest without a separate /boot: 50 MiB (the initramfs is rebuilt there)", () => {
    expect(requiredBytes("/", inspection(["/", "/home"]))).toBe(50 * MiB);
  });
  test("/ of a Linux guest with a separate /boot: 100 MiB", () => {
    expect(requiredBytes("/", inspection(["/", "/boot"]))).toBe(100 * MiB);
  });
  test("/ of a Windows guest: 100 MiB", () => {
    expect(requiredBytes("/", inspection(["/"], "windows"))).toBe(100 * MiB);
  });
  test("any other mountpoint, /boot included: 10 MiB", () => {
    const i = inspection(["/", "/boot", "/var"]);
    expect(requiredBytes("/boot", i)).toBe(10 * MiB);
    expect(requiredBytes("/var", i)).toBe(10 * MiB);
    expect(requiredBytes("/bootstrap", inspection(["/", "/bootstrap"]))).toBe(10 * MiB);
    expect(requiredBytes("/", inspection(["/", "/bootstrap"]))).toBe(50 * MiB);
  });
});

describe("checkFreeSpace", () => {
  test("exactly the threshold everywhere passes, and every mountpoint is asked", async () => {
    const g = new SpaceGuest({ "/": 100 * MiB, "/boot": 10 * MiB, "/var": 10 * MiB });
    await checkFreeSpace(g, inspection(["/", "/boot", "/var"]));
    expect(g.asked).toEqual(["/", "/boot", "/var"]);
  });

  test("one byte short on / is refused naming /, the MiB free (rounded down) and needed, and the fix", async () => {
    const e = await refusal(checkFreeSpace(new SpaceGuest({ "/": 50 * MiB - 1 }), inspection(["/"])));
    expect(e.message).toBe("not enough free space in the guest's / filesystem: 49 MiB free, 50 MiB needed; free some space in the guest and export it again");
  });

  test("a full /boot is refused even when / has room", async () => {
    const e = await refusal(checkFreeSpace(new SpaceGuest({ "/": 10_000 * MiB, "/boot": 9.5 * MiB }), inspection(["/", "/boot"])));
    expect(e.message).toMatch(/^not enough free space in the guest's \/boot filesystem: 9 MiB free, 10 MiB needed;/);
  });

  test("a filesystem whose free space cannot be read (swap) is skipped, the others still checked", async () => {
    const g = new SpaceGuest({ "/": 60 * MiB, "/var": 1 * MiB });
    const e = await refusal(checkFreeSpace(g, inspection(["/", "swap", "/var"])));
    expect(e.message).toMatch(/\/var filesystem: 1 MiB free, 10 MiB needed/);
    expect(g.asked).toEqual(["/", "swap", "/var"]);
  });
});
