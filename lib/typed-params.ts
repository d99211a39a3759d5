/**
 * libvirt's typed parameters (virTypedParameter): named, typed values that
 * statistics and tuning calls return. Names are libvirt's exact keys
 * (e.g. 'state.state', 'cpu.time', 'net.0.rx.bytes'); 64-bit types are bigint.
 */

/** virTypedParameterType */
export enum TypedParamType {
  INT = 1,
  UINT = 2,
  LLONG = 3,
  ULLONG = 4,
  DOUBLE = 5,
  BOOLEAN = 6,
  STRING = 7,
}

/** VIR_TYPED_PARAM_FIELD_LENGTH: a name holds at most 79 bytes (C string of 80). */
export const TYPED_PARAM_FIELD_LENGTH = 80;

export type TypedParam =
  | { name: string; type: TypedParamType.INT | TypedParamType.UINT | TypedParamType.DOUBLE; value: number }
  | { name: string; type: TypedParamType.LLONG | TypedParamType.ULLONG; value: bigint }
  | { name: string; type: TypedParamType.BOOLEAN; value: boolean }
  | { name: string; type: TypedParamType.STRING; value: string };

export function intParam(name: string, value: number): TypedParam {
  return { name, type: TypedParamType.INT, value };
}

export function uintParam(name: string, value: number): TypedParam {
  return { name, type: TypedParamType.UINT, value };
}

export function llongParam(name: string, value: bigint): TypedParam {
  return { name, type: TypedParamType.LLONG, value };
}

export function ullongParam(name: string, value: bigint): TypedParam {
  return { name, type: TypedParamType.ULLONG, value };
}

export function stringParam(name: string, value: string): TypedParam {
  return { name, type: TypedParamType.STRING, value };
}

export function booleanParam(name: string, value: boolean): TypedParam {
  return { name, type: TypedParamType.BOOLEAN, value };
}

export function doubleParam(name: string, value: number): TypedParam {
  return { name, type: TypedParamType.DOUBLE, value };
}

/** The parameter called `name`, or undefined. */
export function findParam(params: readonly TypedParam[], name: string): TypedParam | undefined {
  return params.find((p) => p.name === name);
}
