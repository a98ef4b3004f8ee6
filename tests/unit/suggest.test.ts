// The edit distance behind "did you mean ...?".
import { closestName, editDistance } from "../../config/suggest";

test.each([
  ["", "", 0],
  ["abc", "", 3],
  ["", "abc", 3],
  ["kitten", "sitting", 3],
  ["hostKey", "hostKey", 0],
  ["hostkey", "hostKey", 1],
  ["vrrpPriorty", "vrrpPriority", 1],
  ["adress", "address", 1],
  ["roels", "roles", 1],
  ["ab", "ba", 1],
])("editDistance(%j, %j) = %d", (a, b, distance) => {
  expect(editDistance(a, b)).toBe(distance);
  expect(editDistance(b, a)).toBe(distance);
});

const HOST_FIELDS = ["name", "address", "roles", "vrrpPriority", "hostKey"];

test.each([
  ["hostkey", "hostKey"],
  ["HostKey", "hostKey"],
  ["adress", "address"],
  ["role", "roles"],
  ["vrrp_priority", "vrrpPriority"],
  ["nmae", "name"],
])("%s -> did you mean %s", (typo, meant) => {
  expect(closestName(typo, HOST_FIELDS)).toBe(meant);
});

test("names too far from every known one get no suggestion", () => {
  expect(closestName("labels", HOST_FIELDS)).toBeUndefined();
  expect(closestName("x", HOST_FIELDS)).toBeUndefined();
  expect(closestName("publicKey", HOST_FIELDS)).toBeUndefined();
});
