# Paper Table 7, row "confident copy-paste + alpha blend": as table7_sc_loss.py with mmdet's plain mask BCE.
_base_ = ['./table7_sc_loss.py']

model = dict(
    roi_head=dict(
        mask_head=dict(
            type='FCNMaskHead', loss_mask=dict(_delete_=True, type='CrossEntropyLoss', use_mask=True,
                                               loss_weight=1.0))))
