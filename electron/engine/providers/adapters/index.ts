// The adapter of each provider type: the built-in vendors are generic configs; `generic` brings its own.
import { ApiError } from '../../../../shared/errors.ts';
import type { ProviderType } from '../../../../shared/schemas/providers.ts';
import { isUuid } from '../../ids.ts';
import type { HttpClient } from '../http-client.ts';
import type { ProviderAdapter } from '../remote-export.ts';
import { datadriverConfig } from './datadriver.ts';
import { dealmachineConfig } from './dealmachine.ts';
import { dynamicConfig } from './dynamic.ts';
import { exportManagerConfig } from './export-manager.ts';
import { createGenericAdapter } from './generic.ts';
import { parseGenericConfig, type GenericConfig } from './generic-config.ts';
import { hookbridgeConfig } from './hookbridge.ts';

/**
 * Every built-in vendor is expressible as a generic config, so none needs code of its own: the
 * differences (envelopes, status words, one file or several, a download endpoint that redirects,
 * a path that depends on a param or an option, 410 meaning expired) are all config fields.
 */
export const builtInConfigs: Readonly<Record<Exclude<ProviderType, 'generic'>, GenericConfig>> = {
  datadriver: datadriverConfig,
  hookbridge: hookbridgeConfig,
  dealmachine: dealmachineConfig,
  dynamic: dynamicConfig,
  'export-manager': exportManagerConfig,
};

export const providerLabels: Readonly<Record<ProviderType, string>> = {
  datadriver: 'DataDriver',
  hookbridge: 'HookBridge',
  dealmachine: 'DealMachine',
  dynamic: 'Dynamic',
  'export-manager': 'Export Manager',
  generic: 'The vendor',
};

/** Checks a provider's options for its type; returns them as stored. 400 naming the problem. */
export function validateOptions(
  type: ProviderType,
  options: Record<string, unknown>,
): Record<string, unknown> {
  if (JSON.stringify(options).length > 64 * 1024)
    throw new ApiError('INVALID_REQUEST', 'options is too large (64 KiB at most).', {
      field: 'options',
    });
  if (type === 'dynamic') {
    const env = options.environment_id;
    if (typeof env !== 'string' || !isUuid(env))
      throw new ApiError(
        'INVALID_REQUEST',
        'A Dynamic provider needs options.environment_id: the environment UUID (36 characters).',
        { field: 'options.environment_id' },
      );
  }
  if (type === 'generic') {
    if (options.config === undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        'A generic provider needs options.config: its create, poll and download requests, status map and JSON paths.',
        { field: 'options.config' },
      );
    parseGenericConfig(options.config);
  }
  return options;
}

export function configFor(type: ProviderType, options: Record<string, unknown>): GenericConfig {
  return type === 'generic' ? parseGenericConfig(options.config) : builtInConfigs[type];
}

export interface AdapterProvider {
  readonly type: ProviderType;
  readonly name: string;
  readonly baseUrl: string;
  readonly options: Record<string, unknown>;
}

export function createAdapter(
  provider: AdapterProvider,
  http: HttpClient,
  now: () => number,
): ProviderAdapter {
  return createGenericAdapter(configFor(provider.type, provider.options), {
    baseUrl: provider.baseUrl,
    options: provider.options,
    http,
    label: provider.type === 'generic' ? provider.name : providerLabels[provider.type],
    now,
  });
}
