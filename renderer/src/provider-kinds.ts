// What the UI knows about each provider type: its label, usual address, credential and an example
// create body (from the vendor's documentation), so a new user starts from something that works.
import type { ProviderType } from '../../shared/schemas/providers.ts';

export interface ProviderKind {
  readonly label: string;
  readonly baseUrl: string;
  readonly credentialHint: string;
  /** The vendor's own create body, prefilled in the new-export JSON editor. */
  readonly exampleParams: Record<string, unknown>;
  /** Options the vendor needs, with a hint each. */
  readonly options: readonly { key: string; label: string; hint: string }[];
}

export const providerKinds: Readonly<Record<ProviderType, ProviderKind>> = {
  datadriver: {
    label: 'DataDriver',
    baseUrl: 'https://api.trydatadriver.com',
    credentialHint: 'Your API key, like dd_a3f9…',
    exampleParams: { filter: { state: ['TX', 'CA'] }, format: 'csv' },
    options: [],
  },
  hookbridge: {
    label: 'HookBridge',
    baseUrl: '',
    credentialHint: 'Your HookBridge API key',
    exampleParams: {
      start_time: '2025-12-01T00:00:00Z',
      end_time: '2025-12-06T23:59:59Z',
      status: 'failed_permanent',
      direction: 'outbound',
    },
    options: [],
  },
  dealmachine: {
    label: 'DealMachine',
    baseUrl: 'https://api.v2.dealmachine.com',
    credentialHint: 'Your secret key, like dm_sk_live_…',
    exampleParams: { type: 'properties' },
    options: [],
  },
  dynamic: {
    label: 'Dynamic',
    baseUrl: 'https://app.dynamicauth.com',
    credentialHint: 'An API token of the environment',
    exampleParams: { format: 'csv', model: 'users' },
    options: [
      {
        key: 'environment_id',
        label: 'Environment ID',
        hint: 'The environment’s UUID, from Dynamic’s dashboard.',
      },
    ],
  },
  'export-manager': {
    label: 'Another Export Manager',
    baseUrl: 'http://127.0.0.1:8787',
    credentialHint: 'An API key of that Export Manager (Settings → API keys)',
    exampleParams: { dataset: 'leads', format: 'csv', compression: 'gzip' },
    options: [],
  },
  generic: {
    label: 'Any export API (generic)',
    baseUrl: 'https://api.example.com',
    credentialHint: 'Sent as "Authorization: Bearer …"',
    exampleParams: {},
    options: [
      {
        key: 'config',
        label: 'Config (JSON)',
        hint: 'Its create, poll and download requests, status words and JSON paths; see the README.',
      },
    ],
  },
};
