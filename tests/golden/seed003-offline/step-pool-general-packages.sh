# identical to tests/golden/seed003-offline/step-cp-packages.sh
