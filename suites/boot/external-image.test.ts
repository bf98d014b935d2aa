// An external guest end to end, proven without Windows media: the built Debian 12 reference guest
// (its raw disk, from the harness cache) is handed to the harness as a user hands an image: a
// matrix file written now declares it `kind: external` with the sha256 computed now, and its one
// cell runs as `npm run matrix -- --matrix FILE` would run it: the image is verified, converted
// (-i disk -if raw -o json), inspection is checked against the recipe's expect, the static checks
// run, the converted guest boots on virtio, and the unconverted image must not (negative control).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as allure from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureQemuImage } from "../../src/harness/boot/container-image.js";
import { removeLeftoverBootContainers } from "../../src/harness/boot/boot.js";
import { sha256File } from "../../src/harness/checks/converted.js";
import { ensureGuestDisks } from "../../src/harness/guests/builders.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import type { CellResult } from "../../src/harness/matrix/cell-result.js";
import { loadMatrix } from "../../src/harness/matrix/load.js";
import { runCell } from "../../src/harness/matrix/run-cell.js";
import { projectRoot } from "../../src/harness/project-root.js";

const say = (m: string): void => console.log(`external: ${m}`);
const reports = process.env["V2V_REPORTS_DIR"] || join(projectRoot(), "reports");

describe("an external image (the Debian 12 reference disk, declared as a user's own)", () => {
  let dir: string;
  let disk: string;
  let hash: string;
  let result: CellResult;

  beforeAll(async () => {
    await ensureQemuImage(say);
    await removeLeftoverBootContainers();
    disk = (await ensureGuestDisks(findRecipe("debian-12-bios"), say)).disks[0]!.path;
    hash = await sha256File(disk);
    dir = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-external-"));
    const matrixFile = join(dir, "my-images.yaml");
    await writeFile(matrixFile, [
      "guests:",
      "  - kind: external",
      "    name: my-debian",
      `    path: ${JSON.stringify(disk)}`,
      "    format: raw",
      `    sha256: "${hash}"`,
      "    expect: { osType: linux, distro: debian, major: 12 }",
      "groups:",
      "  - guests: [my-debian]",
      "    inputs: [disk]",
      "    outputs: [json]",
      "    negativeControl: true",
      "    expect: { boots: true, blockBus: virtio-blk, kernel: '^6\\.1\\.' }",
      "",
    ].join("\n"));
    const cell = (await loadMatrix(matrixFile, projectRoot())).cells[0]!;
    result = await runCell(cell, { reportDir: join(reports, "cells", "external__my-debian"), workDir: join(dir, "work"), keepOutput: false });
    say(`${result.status} in ${result.seconds.toFixed(0)} s; stages: ${JSON.stringify(result.stageSeconds)}`);
    for (const c of result.checks) say(`${c.ok ? "ok" : "FAILED"}: ${c.name}: ${c.detail}`);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the cell passes, and its pass is a boot proof", async () => {
    await allure.parameter("image", disk);
    for (const log of result.serialLogs) await allure.attachmentPath(log.split("/").pop()!, log.startsWith("/") ? log : join(projectRoot(), log), "text/plain");
    expect(result.status, result.reason).toBe("pass");
    expect(result.proof).toBe("boot");
    expect(Object.keys(result.stageSeconds)).toEqual(["sha256 before", "convert", "sha256 after", "static checks", "boot", "negative control"]);
  });

  test("the image was checked before use and left unchanged", async () => {
    const named = (re: RegExp) => result.checks.find((c) => re.test(c.name));
    expect(named(/the image is the one the recipe names/)).toMatchObject({ ok: true, detail: `${disk}: ${hash}` });
    expect(named(/the source is unchanged/)?.ok).toBe(true);
    expect(await sha256File(disk)).toBe(hash);
  });

  test("v2v's inspection found what the recipe expects", () => {
    const c = result.checks.find((x) => /the image holds what the recipe expects/.test(x.name));
    expect(c).toMatchObject({ ok: true, detail: expect.stringMatching(/^inspection found linux debian 12\./) });
  });

  test("the converted guest reported from virtio (/ on /dev/vda1); the unconverted image gave up on its root device", () => {
    expect(result.bootReport).toMatchObject({ outcome: "reported", fields: { root: "/dev/vda1", virtio_blk: "bound" } });
    expect(result.negativeControl?.outcome).toBe("failed");
    expect(result.negativeControl?.failureLine).toMatch(/Gave up waiting for root|ALERT! .* does not exist/);
  });
});
