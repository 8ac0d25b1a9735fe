import { useParams } from 'react-router';
import { ImportWizard } from './import/import-wizard';
import { ObjectMetaGate } from './object-meta-gate';
import './import-page.css';

/** `/o/:object/import`: upload a CSV, map its columns, dry-run, then import. */
export function ImportPage() {
  const { object = '' } = useParams();
  return (
    <ObjectMetaGate object={object}>
      {(_meta, schema) => <ImportWizard key={object} object={object} schema={schema} />}
    </ObjectMetaGate>
  );
}
