import { expect, test } from "vitest";
import { deviceName, driveLetters, sdName, targetDiskFileName } from "../../../src/target/disk-names.js";

test.each([
  [0, "sda"], [1, "sdb"], [25, "sdz"], [26, "sdaa"], [27, "sdab"], [51, "sdaz"], [52, "sdba"], [701, "sdzz"], [702, "sdaaa"],
])("disk %i is %s", (index, name) => {
  expect(sdName(index)).toBe(name);
});

test("target file names and device names per bus", () => {
  expect(targetDiskFileName("guest", 0)).toBe("guest-sda");
  expect(targetDiskFileName("guest", 26)).toBe("guest-sdaa");
  expect(deviceName("virtio-blk", 1)).toBe("vdb");
  expect(deviceName("sata", 2)).toBe("sdc");
  expect(deviceName("ide", 3)).toBe("hdd");
});

test("negative or fractional indexes are refused", () => {
  expect(() => driveLetters(-1)).toThrow(RangeError);
  expect(() => driveLetters(1.5)).toThrow(RangeError);
});
