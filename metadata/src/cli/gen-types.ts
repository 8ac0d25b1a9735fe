import fs from 'node:fs';
import { GENERATED_API_TYPES_FILE, GENERATED_TYPES_FILE, generateApiTypes, generateTypes } from '../generate-types';

fs.writeFileSync(GENERATED_TYPES_FILE, await generateTypes());
console.log(`wrote ${GENERATED_TYPES_FILE}`);
fs.writeFileSync(GENERATED_API_TYPES_FILE, await generateApiTypes());
console.log(`wrote ${GENERATED_API_TYPES_FILE}`);
