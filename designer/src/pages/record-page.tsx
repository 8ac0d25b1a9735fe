import { useParams } from 'react-router';
import { ExistingRecord } from './record/existing-record';
import { RecordEditor } from './record/record-editor';
import { ObjectMetaGate } from './object-meta-gate';
import './record-page.css';

/** `/o/:object/new` and `/o/:object/:id`: the generated form, related lists, history and approvals. */
export function RecordPage() {
  const { object = '', id } = useParams();
  return (
    <ObjectMetaGate object={object}>
      {(meta, schema) =>
        id ? (
          <ExistingRecord key={`${object}/${id}`} meta={meta} object={object} schema={schema} id={id} />
        ) : (
          <RecordEditor key={`${object}/new`} meta={meta} object={object} schema={schema} />
        )
      }
    </ObjectMetaGate>
  );
}
