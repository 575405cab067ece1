// Stands in for `electron` in the layers that must run without it (see the layer tsconfigs' paths):
// any named import from 'electron' there fails to type-check. ESLint's no-restricted-imports says why.
export type ElectronIsNotAvailableInThisLayer = never;
