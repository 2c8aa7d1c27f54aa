# Paper Table 7, row "confident copy-paste + alpha blend + SC loss": the full CutS3D training on CutS3D (DiffNCuts)
# pseudo-masks. Table 7 trains without self-training (cuts3d train only).
_base_ = ['../diffncuts_in1k.py']
