/**
 * The import rule of depthwatch (run by `npm test` as `depcruise`): imports go one way, from a layer to
 * the same or a lower one, and there is no import circle. Layers, lowest first (README "Architecture"):
 *
 *   util < contract < client < core < book < feeds < live | sim | recording < pipeline < analytics < alerts < news
 *        < bus | store | cache < api < app | cli | config | replay | soak
 *
 * `web/` (the dashboard) may import only the API contract and the client SDK from `src/` (and util).
 */
const LAYERS = [
  ['util'],
  ['contract'],
  ['client'],
  ['core'],
  ['book'],
  ['feeds'],
  ['live', 'sim', 'recording'],
  ['pipeline'],
  ['analytics'],
  ['alerts'],
  ['news'],
  ['bus', 'store', 'cache'],
  ['api'],
  ['app', 'cli', 'config', 'replay', 'soak'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

/** For each layer: a rule forbidding imports of any layer above it. */
const upward = LAYERS.slice(0, -1).map((names, i) => ({
  name: `no-upward-from-${names.join('-')}`,
  comment: `${names.join(', ')} may import only from ${LAYERS.slice(0, i + 1)
    .flat()
    .join(', ')} (one-way layers)`,
  severity: 'error',
  // Tests compose the layers they test with higher ones (a feed test replays through the engine).
  from: { path: folder(names), pathNot: '\\.test\\.ts$' },
  to: { path: folder(LAYERS.slice(i + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles make layers meaningless: break them (types down a layer, or a bus topic).',
      severity: 'error',
      from: { path: '^(src|web/src)/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'src-outside-its-layers',
      comment: 'Every folder of src/ belongs to a layer: add new ones to LAYERS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: `${folder(LAYERS.flat())}|^src/[^/]+$` },
      to: {},
    },
    {
      name: 'web-imports-only-the-contract',
      comment: 'The dashboard imports only the API contract / client SDK from src/ (and util).',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^src/', pathNot: '^src/(contract|client|util)/' },
    },
    {
      name: 'src-does-not-import-tests-or-bench',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|bench|scripts)/|\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.bench-harness)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.vue'] },
  },
};
