/** Fast tests (unit, components, rendered files, preview) run first; lab end-to-end tests run after them. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testTimeout: 60000,
  transform: { "^.+\\.ts$": ["ts-jest", {}] },
};
