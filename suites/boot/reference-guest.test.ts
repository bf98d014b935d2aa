// Unconverted reference guests under qemu: on IDE each must reach its boot-report line; on virtio
// it must NOT (the negative control: without it, a passing boot proves nothing).
// $V2V_BOOT_GUESTS (comma-separated recipe names) widens the default, debian-12-bios.
import { join } from "node:path";
import * as allure from "allure-js-commons";
import { beforeAll, describe, expect, test } from "vitest";
import { bootDisk, removeLeftoverBootContainers, type BootResult } from "../../src/harness/boot/boot.js";
import { ensureGuestDisks } from "../../src/harness/guests/builders.js";
import { findRecipe, type GuestRecipe } from "../../src/harness/guests/recipes.js";
import { ensureQemuImage } from "../../src/harness/boot/container-image.js";

const recipes = (process.env["V2V_BOOT_GUESTS"] || "debian-12-bios").split(",").map((n) => findRecipe(n.trim()));
const logDir = join(process.env["V2V_REPORTS_DIR"] || join(process.cwd(), "reports"), "boot");
const say = (m: string): void => console.log(`boot: ${m}`);

beforeAll(async () => {
  await ensureQemuImage(say);
  await removeLeftoverBootContainers();
});

async function bootUnconverted(recipe: GuestRecipe, bus: "ide" | "virtio-blk", timeoutSeconds: number): Promise<BootResult> {
  const guest = await ensureGuestDisks(recipe, say);
  const serialLogPath = join(logDir, `${recipe.name}-unconverted-${bus}.log`);
  const r = await bootDisk({ disks: guest.disks.map((d) => ({ ...d, bus })), firmware: recipe.firmware, serialLogPath, timeoutSeconds });
  say(`${recipe.name} on ${bus}: ${r.outcome} after ${r.seconds.toFixed(1)} s: ${r.reportLine ?? r.failureLine ?? ""}`);
  await allure.parameter("guest", recipe.name);
  await allure.parameter("bus", bus);
  await allure.attachmentPath(`serial console (${bus})`, serialLogPath, "text/plain");
  return r;
}

describe.sequential.each(recipes)("unconverted $name", (recipe) => {
  const root = recipe.firmware === "uefi" ? "/dev/sda2" : "/dev/sda1";

  test("boots on IDE to the boot-report line", async () => {
    const r = await bootUnconverted(recipe, "ide", 900);
    expect(r.outcome, r.failureLine).toBe("reported");
    expect(r.report).toMatchObject({ root, virtioBlk: "absent", virtioNet: "absent", fstabOk: true, nicDrivers: ["e1000"] });
    expect(r.report?.disks[0]).toBe("sda");
    expect(r.report?.kernel).toMatch(/-amd64$/);
  });

  test("negative control: on virtio-blk it never reaches the report line, and says why", async () => {
    const r = await bootUnconverted(recipe, "virtio-blk", 600);
    expect(r.outcome).not.toBe("reported");
    expect(r.outcome).toBe("failed");
    expect(r.failureLine).toMatch(/Gave up waiting for root|ALERT! .* does not exist/);
  });
});
