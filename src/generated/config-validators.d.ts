// Types for the generated validators (scripts/build-validators.mjs).
import type { ValidateFunction } from 'ajv';
export declare const validateTop: ValidateFunction;
export declare const validateSpec: ValidateFunction;
export declare const validateFunctionInput: ValidateFunction;
