import fs from 'node:fs';
import { GENERATED_TYPES_FILE, generateTypes } from '../generate-types';

fs.writeFileSync(GENERATED_TYPES_FILE, await generateTypes());
console.log(`wrote ${GENERATED_TYPES_FILE}`);
