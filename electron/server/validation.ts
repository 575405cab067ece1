// Request validation: bodies are checked exactly as sent, never coerced.
//
// A coercing validator turns `{"op":"eq","value":null}` into `= ''` and `["TX"]` into `"TX"`: the
// export then runs another query than the one asked for, with no error. So JSON bodies (and
// headers) get an Ajv without any coercion. Query strings and path parameters are text by nature
// (`?limit=50`); their validator turns such text into the integer or boolean the schema declares,
// one scalar at a time (never a value into an array), and refuses text that is not one.
import { Ajv, type Options } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
    // Errors carry the offending value, so a 400 can name it (`got "like"`).
    verbose: true,
  });
  addFormats(ajv);
  return ajv;
}

export function exactValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const exact = makeAjv(false);
  const urlText = makeAjv(true);
  return ({ schema, httpPart }) =>
    (httpPart === 'querystring' || httpPart === 'params' ? urlText : exact).compile(
      schema as object,
    ) as ReturnType<FastifySchemaCompiler<unknown>>;
}
