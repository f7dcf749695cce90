"""A small 4-level U-Net (as the bundled demo's) with two output logits per pixel: blood_vessel and
blood_vessel_interior (each vessel shrunk away from its border and from its neighbours)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

SIZE_MULTIPLE = 16  # four 2x poolings
CHANNELS = ['blood_vessel', 'blood_vessel_interior']


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, c=12, out_channels=len(CHANNELS)):
        super().__init__()
        ch = [c, 2 * c, 4 * c, 8 * c]
        self.enc = nn.ModuleList([block(3, ch[0]), block(ch[0], ch[1]), block(ch[1], ch[2]), block(ch[2], ch[3])])
        self.mid = block(ch[3], ch[3])
        self.up = nn.ModuleList([nn.ConvTranspose2d(ch[3], ch[3], 2, stride=2), nn.ConvTranspose2d(ch[3], ch[2], 2, stride=2),
                                 nn.ConvTranspose2d(ch[2], ch[1], 2, stride=2), nn.ConvTranspose2d(ch[1], ch[0], 2, stride=2)])
        self.dec = nn.ModuleList([block(2 * ch[3], ch[3]), block(2 * ch[2], ch[2]), block(2 * ch[1], ch[1]), block(2 * ch[0], ch[0])])
        self.head = nn.Conv2d(ch[0], out_channels, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.mid(x)
        for up, dec, s in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([up(x), s], 1))
        return self.head(x)


def interior(labels, radius):
    """HxW bool: pixels whose (2r+1)^2 neighbourhood holds one and the same non-zero instance label."""
    t = torch.from_numpy(labels.astype('float32'))[None, None]
    k = 2 * radius + 1
    hi = F.max_pool2d(F.pad(t, (radius,) * 4, value=0), k, stride=1)
    lo = -F.max_pool2d(F.pad(-t, (radius,) * 4, value=0), k, stride=1)
    return ((hi == lo) & (t > 0))[0, 0].numpy()


def loss_fn(logits, vessel, inner):
    """BCE + soft Dice on the vessel channel, BCE on the interior channel."""
    pv = torch.sigmoid(logits[:, :1])
    inter = (pv * vessel).sum()
    soft_dice = 1 - (2 * inter + 1) / (pv.sum() + vessel.sum() + 1)
    return (F.binary_cross_entropy_with_logits(logits[:, :1], vessel) + soft_dice
            + F.binary_cross_entropy_with_logits(logits[:, 1:2], inner))
