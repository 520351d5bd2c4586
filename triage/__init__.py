"""Triage stream processor (faust-streaming): flags, urgency and routes for every signal."""

from triage.blas import pin_openblas_kernels

pin_openblas_kernels()  # before anything loads NumPy: the committed model's fit depends on the kernels
