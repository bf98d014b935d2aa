import { expect, test } from "vitest";
import { decideApplianceSize } from "../../../src/host/appliance-size.js";

test("the appliance follows the host: vCPUs 1..4, 2 GiB on a host with 8 GiB or more, a quarter of RAM (>= 768 MiB) below", () => {
  expect(decideApplianceSize(2, 24 * 1024)).toEqual({ smp: 2, memoryMiB: 2048 });
  expect(decideApplianceSize(1, 8192)).toEqual({ smp: 1, memoryMiB: 2048 });
  expect(decideApplianceSize(64, 256 * 1024)).toEqual({ smp: 4, memoryMiB: 2048 });
  expect(decideApplianceSize(4, 8191)).toEqual({ smp: 4, memoryMiB: 2047 });
  expect(decideApplianceSize(0, 2048)).toEqual({ smp: 1, memoryMiB: 768 });
  expect(decideApplianceSize(3.7, 4096)).toEqual({ smp: 3, memoryMiB: 1024 });
});
