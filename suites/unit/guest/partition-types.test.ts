// The one reader of a partition's GPT type: blkid's PART_ENTRY_TYPE, upper-cased; "" when blkid
// has none or fails.
import { expect, test } from "vitest";
import { ESP_TYPE_GUID, partitionTypeGuid } from "../../../src/guest/partition-types.js";
import { FakeGuest } from "../fakes/fake-guest.js";

test("partitionTypeGuid: upper-cased, and empty for no tag or no signature", async () => {
  const g = new FakeGuest({
    blkid: {
      "/dev/sda1": { TYPE: "vfat", PART_ENTRY_TYPE: ESP_TYPE_GUID.toLowerCase() },
      "/dev/sda2": { TYPE: "ntfs" },
    },
  });
  expect(await partitionTypeGuid(g, "/dev/sda1")).toBe(ESP_TYPE_GUID);
  expect(await partitionTypeGuid(g, "/dev/sda2")).toBe("");
  expect(await partitionTypeGuid(g, "/dev/sdb9")).toBe("");
});
