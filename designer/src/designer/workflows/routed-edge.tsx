import { BaseEdge, type EdgeProps, useNodes } from '@xyflow/react';
import { labelPoint, NODE_SIZE, type Rect, routeEdge, routePath } from './workflow-layout';

/**
 * An edge that goes around the cards in its way (workflow-layout.ts routeEdge), from the positions
 * and measured sizes on the canvas right now, so it stays clear while and after cards are dragged.
 */
export function RoutedEdge(props: EdgeProps) {
  const nodes = useNodes();
  let source: Rect | undefined;
  let target: Rect | undefined;
  const cards: Rect[] = nodes.map((n) => {
    const r = {
      x: n.position.x,
      y: n.position.y,
      width: n.measured?.width ?? NODE_SIZE.width,
      height: n.measured?.height ?? NODE_SIZE.height,
    };
    if (n.id === props.source) source = r;
    if (n.id === props.target) target = r;
    return r;
  });
  const points = routeEdge(
    { x: props.sourceX, y: props.sourceY },
    { x: props.targetX, y: props.targetY },
    cards,
    source,
    target,
  );
  const at = labelPoint(points);
  return (
    <BaseEdge
      id={props.id}
      path={routePath(points)}
      labelX={at.x}
      labelY={at.y}
      label={props.label}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
      markerEnd={props.markerEnd}
      markerStart={props.markerStart}
      style={props.style}
      interactionWidth={props.interactionWidth}
    />
  );
}
