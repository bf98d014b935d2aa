// The unconverted debian-12-bios reference guest under qemu: on IDE it must reach its boot-report
// line; on virtio it must NOT (the negative control: without it, a passing boot proves nothing).
import { join } from "node:path";
import * as allure from "allure-js-commons";
import { beforeAll, describe, expect, test } from "vitest";
import { bootDisk, removeLeftoverBootContainers, type BootResult } from "../../src/harness/boot.js";
import { ensureGuestDisks, type BuiltGuest } from "../../src/harness/build-guest.js";
import { findRecipe } from "../../src/harness/guest-recipes.js";
import { ensureQemuImage } from "../../src/harness/qemu-image.js";

const recipe = findRecipe("debian-12-bios");
const logDir = join(process.env["V2V_REPORTS_DIR"] || join(process.cwd(), "reports"), "boot");
let guest: BuiltGuest;

beforeAll(async () => {
  const say = (m: string): void => console.log(`boot: ${m}`);
  await ensureQemuImage(say);
  guest = await ensureGuestDisks(recipe, say);
  await removeLeftoverBootContainers();
});

async function boot(bus: "ide" | "virtio-blk", timeoutSeconds: number): Promise<BootResult> {
  const serialLogPath = join(logDir, `${recipe.name}-unconverted-${bus}.log`);
  const r = await bootDisk({ disks: guest.disks.map((d) => ({ ...d, bus })), firmware: recipe.firmware, serialLogPath, timeoutSeconds });
  console.log(`boot: ${recipe.name} on ${bus}: ${r.outcome} after ${r.seconds.toFixed(1)} s: ${r.reportLine ?? r.failureLine ?? ""}`);
  await allure.parameter("bus", bus);
  await allure.attachmentPath(`serial console (${bus})`, serialLogPath, "text/plain");
  return r;
}

describe.sequential(`unconverted ${recipe.name}`, () => {
  test("boots on IDE to the boot-report line", async () => {
    const r = await boot("ide", 900);
    expect(r.outcome, r.failureLine).toBe("reported");
    expect(r.report).toMatchObject({ root: "/dev/sda1", virtioBlk: "absent", virtioNet: "absent", fstabOk: true, nicDrivers: ["e1000"], disks: ["sda"] });
    expect(r.report?.kernel).toMatch(/^6\.1\.\d+-\d+-amd64$/);
  });

  test("negative control: on virtio-blk it never reaches the report line, and says why", async () => {
    const r = await boot("virtio-blk", 600);
    expect(r.outcome).not.toBe("reported");
    expect(r.outcome).toBe("failed");
    expect(r.failureLine).toMatch(/Gave up waiting for root|ALERT! .*\/dev\/sda1 does not exist/);
  });
});
