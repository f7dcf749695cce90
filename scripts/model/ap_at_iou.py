"""A simple, documented AP@IoU for blood_vessel instances, as used in the model card.

1. Predicted instances = 8-connected components of (prob >= 0.5); confidence = mean prob inside.
2. All predictions of all tiles are sorted by confidence, descending (stable on tile order).
3. Each is matched greedily to the unmatched ground-truth instance of its tile with the highest
   mask IoU; a match needs IoU >= iou_thr (true positive), else false positive.
4. AP = VOC all-points: area under the precision-recall curve with precision made monotone
   (each precision replaced by the max precision at any higher recall).
Ground truth = one mask per blood_vessel polygon. No ignore regions (this sample has no
glomerulus/unsure polygons)."""
import cv2
import numpy as np


def components(prob, thr=0.5, min_area=1):
    """8-connected components of prob >= thr as (mask, confidence) pairs."""
    binary = (prob >= thr).astype(np.uint8)
    n, labels = cv2.connectedComponents(binary, connectivity=8)
    out = []
    for k in range(1, n):
        m = labels == k
        if m.sum() >= min_area:
            out.append((m, float(prob[m].mean())))
    return out


def mask_iou(a, b):
    inter = np.logical_and(a, b).sum()
    union = np.logical_or(a, b).sum()
    return float(inter) / float(union) if union else 0.0


def voc_ap(tp_flags, n_gt):
    """VOC all-points AP from TP flags sorted by descending confidence."""
    if n_gt == 0:
        return float('nan')
    tp = np.cumsum(np.asarray(tp_flags, dtype=np.float64))
    fp = np.cumsum(1.0 - np.asarray(tp_flags, dtype=np.float64))
    recall = tp / n_gt if len(tp_flags) else np.zeros(0)
    precision = tp / np.maximum(tp + fp, 1e-12) if len(tp_flags) else np.zeros(0)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def ap_at_iou(probs, gts, iou_thr=0.6):
    """AP over tiles: probs = list of HxW prob maps, gts = list of lists of HxW bool masks."""
    preds = []  # (confidence, tile index, mask)
    for t, prob in enumerate(probs):
        for m, c in components(prob):
            preds.append((c, t, m))
    preds.sort(key=lambda p: -p[0])
    used = [np.zeros(len(g), dtype=bool) for g in gts]
    flags = []
    for c, t, m in preds:
        best, best_j = -1.0, -1
        for j, g in enumerate(gts[t]):
            if used[t][j]:
                continue
            iou = mask_iou(m, g)
            if iou > best:
                best, best_j = iou, j
        if best_j >= 0 and best >= iou_thr:
            used[t][best_j] = True
            flags.append(1)
        else:
            flags.append(0)
    return voc_ap(flags, sum(len(g) for g in gts)), len(preds)


def dice(probs, unions, thr=0.5):
    """Pixel Dice of (prob >= thr) against the union masks, pooled over all tiles."""
    inter, total = 0.0, 0.0
    for p, u in zip(probs, unions):
        b = p >= thr
        inter += float(np.logical_and(b, u > 0).sum())
        total += float(b.sum() + (u > 0).sum())
    return 2.0 * inter / total if total else 1.0
