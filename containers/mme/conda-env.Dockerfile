# Builds sd_env.tar.gz, the Triton python backend's execution environment (EXECUTION_ENV_PATH), on the
# Triton image itself so the conda env's Python (3.12) and glibc match the stub that loads it.
#   docker build -f containers/mme/conda-env.Dockerfile -o out/ .      -> out/sd_env.tar.gz
# (build context: the repository root; needs network for conda-forge and PyPI).
ARG TRITON_IMAGE=785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:25.09-py3
FROM ${TRITON_IMAGE} AS build
ARG MINIFORGE=https://github.com/conda-forge/miniforge/releases/download/25.3.0-3/Miniforge3-25.3.0-3-Linux-x86_64.sh
RUN curl -fsSL -o /tmp/miniforge.sh "$MINIFORGE" && bash /tmp/miniforge.sh -b -p /opt/conda && rm /tmp/miniforge.sh
COPY containers/mme/environment.yml /tmp/environment.yml
RUN /opt/conda/bin/conda env create -p /opt/sd_env -f /tmp/environment.yml \
  && /opt/conda/bin/conda install -y -n base conda-pack \
  && /opt/conda/bin/conda-pack -p /opt/sd_env -o /tmp/sd_env.tar.gz \
  && /opt/sd_env/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version'

FROM scratch
COPY --from=build /tmp/sd_env.tar.gz /sd_env.tar.gz
