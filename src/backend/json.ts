// JSON as the REST-JSON services exchange it: parsed request bodies, operation inputs and outputs.
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }
