import { ArrowLeft, Trash2, Upload } from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge, Button, PageHeader } from '../../ui';
import './item-editor.css';

/**
 * The head of an editor for one publishable metadata item (an automation rule, a web form): the way
 * back to its list, its name, Delete when it is stored, Publish (after the editor's own check), and
 * a "not published" mark for a new one.
 */
export function ItemEditorHeader(props: {
  /** The locale section holding the texts (`back`, `delete`, `publish`, `notPublished`). */
  texts: 'automations' | 'segmentsDesigner' | 'webFormsDesigner';
  /** The list the editor goes back to. */
  back: string;
  icon: ReactNode;
  title: string;
  subtitle: string;
  /** The item exists on the server (it can be deleted; a new one is marked not published). */
  stored: boolean;
  checking: boolean;
  onDelete: () => void;
  onPublish: () => void;
}) {
  const { t } = useTranslation();
  const { texts } = props;
  return (
    <>
      <Link className="f-item-editor__back" to={props.back}>
        <ArrowLeft size={16} aria-hidden="true" /> {t(`${texts}.back`)}
      </Link>
      <PageHeader
        icon={props.icon}
        title={props.title}
        subtitle={props.subtitle}
        actions={
          <>
            {props.stored && (
              <Button variant="ghost" icon={<Trash2 size={16} aria-hidden="true" />} onClick={props.onDelete}>
                {t(`${texts}.delete`)}
              </Button>
            )}
            <Button
              variant="primary"
              icon={<Upload size={16} aria-hidden="true" />}
              loading={props.checking}
              onClick={props.onPublish}
            >
              {t(`${texts}.publish`)}
            </Button>
          </>
        }
      />
      {!props.stored && <Badge>{t(`${texts}.notPublished`)}</Badge>}
    </>
  );
}
