import { ArrowLeft, Trash2, Upload } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Badge, Button, PageHeader } from '../../ui';
import './item-editor-header.css';

/**
 * The head of an editor for one publishable metadata item (an automation rule, a web form): the way
 * back to its list, its name, Delete when it is stored, Publish (after the editor's own check), and
 * a "not published" mark for a new one.
 */
export function ItemEditorHeader(props: {
  back: { to: string; label: string };
  icon: ReactNode;
  title: string;
  subtitle: string;
  /** The item exists on the server (it can be deleted; a new one is marked not published). */
  stored: boolean;
  checking: boolean;
  onDelete: () => void;
  onPublish: () => void;
  labels: { delete: string; publish: string; notPublished: string };
}) {
  const { labels } = props;
  return (
    <>
      <Link className="f-item-editor__back" to={props.back.to}>
        <ArrowLeft size={16} aria-hidden="true" /> {props.back.label}
      </Link>
      <PageHeader
        icon={props.icon}
        title={props.title}
        subtitle={props.subtitle}
        actions={
          <>
            {props.stored && (
              <Button variant="ghost" icon={<Trash2 size={16} aria-hidden="true" />} onClick={props.onDelete}>
                {labels.delete}
              </Button>
            )}
            <Button
              variant="primary"
              icon={<Upload size={16} aria-hidden="true" />}
              loading={props.checking}
              onClick={props.onPublish}
            >
              {labels.publish}
            </Button>
          </>
        }
      />
      {!props.stored && <Badge>{labels.notPublished}</Badge>}
    </>
  );
}
